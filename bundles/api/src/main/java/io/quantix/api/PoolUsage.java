package io.quantix.api;

/** Space of a pool in bytes, as its backend measures it. */
public record PoolUsage(long capacity, long allocation, long available) {
}
