// `vmpool grant|revoke admin EMAIL` and `vmpool grant|revoke producer EMAIL [COMPETITION]`:
// the `admin`/`producer` custom claims (docs/contract.md, Roles) plus
// `producerAccess/{uid}/{compId}`, as the local stack's seeding sets them. Other claims are
// kept. A revoke also revokes the user's refresh tokens, so the change is not outlived by a
// session.
import { COMPETITION_ID_PATTERN, paths } from '@vmpool/core';
import type { Command } from '../command';
import { authCall, findUser } from '../context';
import { failed } from '../errors';

const ROLES = ['admin', 'producer'] as const;

export const grant: Command = {
  names: ['grant', 'revoke'],
  summary: 'give or take the admin role, or a producer role for a competition',
  usage: [
    'vmpool grant admin EMAIL                 the admin claim',
    'vmpool grant producer EMAIL COMPETITION  the producer claim and access to COMPETITION',
    'vmpool revoke admin EMAIL',
    'vmpool revoke producer EMAIL COMPETITION the access to COMPETITION (and the producer claim',
    '                                         with the last one)',
    'vmpool revoke producer EMAIL             every competition and the producer claim',
    'EMAIL may also be a uid. The user must exist (signed in once, or created in the console).',
  ].join('\n'),
  options: {},
  check(name, positionals) {
    const [role, who, competition, ...rest] = positionals;
    const errors: string[] = [];
    if (role === undefined || !(ROLES as readonly string[]).includes(role))
      return [`${name} needs a role: admin or producer`];
    if (who === undefined || who.trim() === '') errors.push(`${name} ${role} needs an EMAIL`);
    if (role === 'admin' && competition !== undefined)
      errors.push('the admin role is not per competition: drop COMPETITION');
    if (role === 'producer' && name === 'grant' && competition === undefined)
      errors.push('grant producer needs a COMPETITION');
    if (competition !== undefined && !COMPETITION_ID_PATTERN.test(competition))
      errors.push(`COMPETITION must be 1..128 letters, digits, _ or -, got "${competition}"`);
    if (rest.length > 0) errors.push(`unexpected arguments: ${rest.join(' ')}`);
    return errors;
  },
  async run(ctx, name, positionals) {
    const [role, who, competition] = positionals as [
      (typeof ROLES)[number],
      string,
      string | undefined,
    ];
    const auth = ctx.auth();
    const user = await findUser(auth, who);
    const claims: Record<string, unknown> = { ...(user.customClaims ?? {}) };
    const label = user.email ?? user.uid;
    const db = role === 'producer' ? await ctx.db() : null;

    if (name === 'grant') {
      if (role === 'producer') {
        const exists = (await db!.ref(paths.competitionConfig(competition!)).get()).exists();
        if (!exists)
          throw failed(`no competition ${competition} (competitions/${competition}/config)`);
        claims.producer = true;
        await authCall(label, () => auth.setCustomUserClaims(user.uid, claims));
        await db!.ref(paths.producerAccessFor(user.uid, competition!)).set(true);
      } else {
        claims.admin = true;
        await authCall(label, () => auth.setCustomUserClaims(user.uid, claims));
      }
    } else {
      if (role === 'producer') {
        if (competition === undefined) await db!.ref(paths.producerAccess(user.uid)).remove();
        else await db!.ref(paths.producerAccessFor(user.uid, competition)).remove();
        const left = (await db!.ref(paths.producerAccess(user.uid)).get()).exists();
        if (!left) delete claims.producer;
      } else {
        delete claims.admin;
      }
      await authCall(label, () =>
        auth.setCustomUserClaims(user.uid, Object.keys(claims).length > 0 ? claims : null),
      );
      await authCall(label, () => auth.revokeRefreshTokens(user.uid));
    }
    const access =
      role === 'producer'
        ? Object.keys(((await db!.ref(paths.producerAccess(user.uid)).get()).val() ?? {}) as object)
        : undefined;
    ctx.out.result({
      uid: user.uid,
      email: user.email ?? null,
      claims,
      ...(access === undefined ? {} : { producerAccess: access }),
    });
    const what = role === 'admin' ? 'admin' : `producer${competition ? ` of ${competition}` : ''}`;
    ctx.out.line(
      `${name === 'grant' ? 'granted' : 'revoked'} ${what} ${name === 'grant' ? 'to' : 'from'} ${label} (${user.uid})`,
    );
    if (access !== undefined)
      ctx.out.line(`producer of: ${access.length > 0 ? access.join(', ') : 'no competition'}`);
    ctx.out.line('takes effect at the next sign-in or ID token refresh (within an hour)');
    return 0;
  },
};
