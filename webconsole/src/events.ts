import type { QuantixEvent } from './types';

/**
 * Reads a Server-Sent Events body: calls back once per complete frame with its event name and data.
 * Written for fetch() rather than EventSource, which cannot listen to every event name the node sends
 * (one per topic, io/quantix/<kind>/<TYPE>).
 */
export function sseParser(onFrame: (event: string, data: string) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk.replace(/\r\n/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) continue; // keep-alive comment
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length) onFrame(event, data.join('\n'));
    }
  };
}

/**
 * Follows GET /events until stopped, reconnecting after a break with a growing pause (1 s up to 30 s).
 * Returns the function that stops it.
 */
export function followEvents(onEvent: (event: QuantixEvent) => void, onState: (live: boolean) => void,
  fetchImpl: typeof fetch = fetch): () => void {
  const abort = new AbortController();
  let pause = 1000;
  (async () => {
    while (!abort.signal.aborted) {
      try {
        const response = await fetchImpl('/api/v1/events', {
          credentials: 'same-origin', headers: { Accept: 'text/event-stream' }, signal: abort.signal,
        });
        if (!response.ok || !response.body) throw new Error(`event stream: HTTP ${response.status}`);
        onState(true);
        pause = 1000;
        const parse = sseParser((_, data) => {
          try { onEvent(JSON.parse(data) as QuantixEvent); } catch { /* a frame that is not an event */ }
        });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parse(value);
        }
      } catch {
        // broken or refused: retry below unless stopped
      }
      onState(false);
      if (abort.signal.aborted) break;
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 30_000);
    }
  })();
  return () => abort.abort();
}
