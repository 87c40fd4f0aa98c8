/** The agent's version, reported at registration; kept equal to agent/package.json by a test. */
export const AGENT_VERSION = '0.1.0';
