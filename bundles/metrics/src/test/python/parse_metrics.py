"""Parses a Prometheus text exposition from stdin with prometheus_client's parser; prints one line per sample:
family, type, sample name, labels as k=v joined by commas (sorted), value, separated by tabs. Exits non-zero
on a malformed exposition."""
import sys

from prometheus_client.parser import text_string_to_metric_families

for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        labels = ",".join("%s=%s" % (k, v) for k, v in sorted(s.labels.items()))
        print("\t".join([family.name, family.type, s.name, labels, repr(float(s.value))]))
