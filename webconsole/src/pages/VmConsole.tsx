import { useEffect, useRef, useState } from 'react';
import { Keyboard, X } from 'lucide-react';
import { client } from '../api';
import { Button, showError } from '../ui';

/** The node's answer to POST /vms/{name}/console/ticket. */
interface ConsoleTicket { ticket: string; password: string; expiresAt: string; path: string }
type Status = 'connecting' | 'connected' | 'disconnected';

/**
 * The VM's graphics console in the page: a one-time ticket from the node, then noVNC over a WebSocket on the
 * node's own port, which relays to the VM's VNC server on the node's loopback. noVNC is loaded only when a
 * console opens, so it is not part of the page's first load.
 */
export function VmConsole({ vm, onClose }: { vm: string; onClose: () => void }) {
  const screen = useRef<HTMLDivElement>(null);
  const rfb = useRef<{ disconnect(): void; sendCtrlAltDel(): void } | null>(null);
  const [status, setStatus] = useState<Status>('connecting');
  const [reason, setReason] = useState('');

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const [rfbModule, ticket] = await Promise.all([
          import('@novnc/novnc/lib/rfb'),
          client.request<ConsoleTicket>('POST', `/vms/${encodeURIComponent(vm)}/console/ticket`),
        ]);
        if (cancelled || !screen.current) return;
        // noVNC 1.4's lib/ is CommonJS: the bundler's interop may wrap its default export once more
        const wrapped = rfbModule.default as unknown as { default?: typeof rfbModule.default };
        const RFB = wrapped.default ?? rfbModule.default;
        const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${ticket.path}`;
        const session = new RFB(screen.current, url, { credentials: { password: ticket.password }, wsProtocols: ['binary'] });
        session.scaleViewport = true;
        session.addEventListener('connect', () => setStatus('connected'));
        session.addEventListener('disconnect', (e) => {
          setStatus('disconnected');
          setReason((e as CustomEvent<{ clean: boolean }>).detail?.clean ? 'the console closed' : 'the connection to the console was lost');
        });
        session.addEventListener('securityfailure', (e) => setReason(`the VM refused the console: ${(e as CustomEvent<{ reason?: string }>).detail?.reason ?? 'authentication failed'}`));
        rfb.current = session;
      } catch (failure) {
        if (!cancelled) {
          setStatus('disconnected');
          setReason(failure instanceof Error ? failure.message : String(failure));
          showError(failure);
        }
      }
    })();
    return () => {
      cancelled = true;
      rfb.current?.disconnect();
      rfb.current = null;
    };
  }, [vm]);

  return (
    <div className="fixed inset-0 z-40 flex flex-col bg-black/80 p-4" role="dialog" aria-label={`Console of ${vm}`}>
      <div className="mb-2 flex items-center justify-between text-sm">
        <div className="flex items-center gap-3">
          <span className="font-semibold">Console: {vm}</span>
          <span data-testid="console-status" className={status === 'connected' ? 'text-green' : status === 'connecting' ? 'text-yellow' : 'text-red'}>{status}</span>
          {reason && <span className="text-muted">{reason}</span>}
        </div>
        <div className="flex gap-2">
          <Button disabled={status !== 'connected'} onClick={() => rfb.current?.sendCtrlAltDel()}><Keyboard size={14} />Ctrl+Alt+Del</Button>
          <Button onClick={onClose} aria-label="Close console"><X size={14} />Close</Button>
        </div>
      </div>
      <div ref={screen} data-testid="console-screen" className="min-h-0 flex-1 overflow-hidden rounded border border-line bg-black" />
    </div>
  );
}
