// A standing socket.io connection to the show server, as the show controller holds one:
// proves the real-time channel works, not only the HTTP status route.
import { io, type Socket } from 'socket.io-client';

export class SocketLink {
  private readonly socket: Socket;
  private lastError: string | null = null;

  constructor(url: string) {
    this.socket = io(url, {
      transports: ['websocket'],
      query: { name: 'vmpool-agent', role: 'monitor' },
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 10_000,
      timeout: 5_000,
    });
    this.socket.on('connect', () => {
      this.lastError = null;
    });
    this.socket.on('connect_error', (error) => {
      this.lastError = error.message;
    });
    this.socket.on('disconnect', (reason) => {
      this.lastError = reason;
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  get detail(): string {
    return this.socket.connected
      ? 'socket.io connected'
      : `socket.io disconnected (${this.lastError ?? 'connecting'})`;
  }

  close(): void {
    this.socket.close();
  }
}
