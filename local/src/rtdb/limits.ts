/**
 * What one client may make the server do at once. The server is one process handling every
 * request in order on one thread, so each bound below caps how long a single frame can keep
 * every other client waiting. Production's documented limits are used where they exist
 * (https://firebase.google.com/docs/database/usage/limits, and the SDK's own write checks);
 * the others are this server's, chosen so that the costliest frame a rules-checked client
 * may send is handled in well under a second on a small shared machine (figures: README).
 */

/** Production: a write from the SDKs may carry up to 16 MB (the REST API: 256 MB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Production: paths are at most 32 levels deep ("Maximum depth of child nodes: 32"); the SDKs
 * refuse to send deeper data ("exceeds the maximum depth that can be written (32)").
 */
export const MAX_WRITE_DEPTH = 32;

/**
 * The SDKs split messages into frames of at most 16384 characters (protocol v5), which is at
 * most 3 bytes of UTF-8 each; a WebSocket frame larger than this is refused by the socket
 * before it is read (close 1009).
 */
export const MAX_WEBSOCKET_FRAME_BYTES = 3 * 16384 + 1024;

export interface Limits {
  /** Largest message from a connection whose writes are checked against rules. */
  readonly maxUserMessageBytes: number;
  /** Most paths in one multi-path update from such a connection. */
  readonly maxUpdatePaths: number;
  /** Most values (leaves and objects) in one write from such a connection. */
  readonly maxUserWriteNodes: number;
}

/**
 * This server's own bounds for rules-checked connections (production documents none). The
 * rules check (targaryen) costs per value written and per path: on the 2-core build machine
 * 10,000 values cost 70-200 ms of CPU and 100 paths 12-110 ms, so no allowed frame keeps the
 * others waiting long. They are far above what the app writes: database.rules.json lets a
 * user write at most ~32 KB (command output), and the app's largest update has 3 paths.
 * Connections with the owner credential (the control plane, tests) keep production's 16 MB
 * and have no path or value cap.
 */
export const DEFAULT_LIMITS: Limits = {
  maxUserMessageBytes: 256 * 1024,
  maxUpdatePaths: 100,
  maxUserWriteNodes: 10_000,
};

/** How long the fragments of one message may take to arrive before the connection is closed. */
export const DEFAULT_FRAGMENT_TIMEOUT_MS = 10_000;

/** Open connections (WebSocket and long poll) accepted in total, and from one address. */
export const DEFAULT_MAX_CONNECTIONS = 1000;
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 200;
