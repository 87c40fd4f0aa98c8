import { describe, expect, it } from 'vitest';
import { authenticationString } from './protocol';

describe('authenticationString', () => {
  it("matches the example of obs-websocket's protocol documentation", () => {
    expect(
      authenticationString(
        'supersecretpassword',
        'lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=',
        '+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=',
      ),
    ).toBe('1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4=');
  });
});
