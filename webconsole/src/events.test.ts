import { describe, expect, it } from 'vitest';
import { sseParser } from './events';

describe('the event stream parser', () => {
  it('joins frames split across chunks and skips keep-alives', () => {
    const frames: [string, string][] = [];
    const feed = sseParser((event, data) => frames.push([event, data]));
    feed(': keep-alive\n\nevent: io/quantix/VM/STARTED\nda');
    expect(frames).toEqual([]);
    feed('ta: {"kind":"VM"}\n\nevent: io/quantix/VM/STOPPED\r\ndata: {"kind":"VM","type":"STOPPED"}\r\n\r\n');
    expect(frames).toEqual([['io/quantix/VM/STARTED', '{"kind":"VM"}'], ['io/quantix/VM/STOPPED', '{"kind":"VM","type":"STOPPED"}']]);
  });
});
