import { randomBytes } from 'node:crypto';
import readline from 'node:readline';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { hashPassword, passwordProblem } from '../../auth/password.js';
import type { Db } from '../../db/client.js';
import { translate } from '../../i18n/i18n.js';
import { findOrganisation } from '../../orgs/repository.js';
import { isRole, ROLES } from '../../permissions/roles.js';
import { createUser, findUserByUsername, normaliseUsername } from '../../users/repository.js';
import { CliError, idOption, requiredOption, type Command } from '../command.js';
import { CLI_AUDIT_CONTEXT, withDatabase } from '../database.js';

/** 120 random bits as six groups of four lowercase letters and digits: strong, and easy to read out or type. */
export function generatePassphrase(): string {
  return (encodeBase32LowerCaseNoPadding(randomBytes(15)).match(/.{4}/g) ?? []).join('-');
}

/** The first line of stdin, so `printf '%s\n' "$PW" | bvte user add ...` and typing at a prompt both work. */
async function readPasswordLine(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (mật khẩu), then Enter: ');
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of lines) return line;
    return '';
  } finally {
    lines.close();
  }
}

async function choosePassword(username: string, fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) {
    let password = generatePassphrase();
    while (passwordProblem(password, username)) password = generatePassphrase();
    return { password, generated: true };
  }
  const password = await readPasswordLine();
  const problem = passwordProblem(password, username);
  if (problem) throw new CliError(`Password refused: ${translate('en', `password.${problem}`)}`);
  return { password, generated: false };
}

function activeOrganisation(db: Db, id: number, option: string): { id: number; name: string } {
  const org = findOrganisation(db, id);
  if (!org) throw new CliError(`--${option}: no organisation with id ${id}. See: bvte org list`);
  if (!org.active) throw new CliError(`--${option}: organisation ${id} (${org.name}) is inactive.`);
  return org;
}

export const userAddCommand: Command = {
  name: 'user add',
  args: ['username'],
  summary: 'Create an account with one role (tạo tài khoản)',
  options: {
    name: { type: 'string', placeholder: '"Display Name"', required: true, description: 'Full name shown in the app (họ tên)' },
    role: { type: 'string', placeholder: 'ROLE', required: true, description: `One of: ${ROLES.join(', ')}` },
    org: { type: 'string', placeholder: 'ID', required: true, description: 'Organisation id the role applies in (see `bvte org list`)' },
    'home-org': { type: 'string', placeholder: 'ID', description: 'Organisation whose administrators manage the account; defaults to --org' },
    'password-stdin': { type: 'boolean', description: 'Read the password from the first line of stdin; otherwise one is generated and printed once' },
  },
  async run({ args: [rawUsername = ''], options, dataDir, out }) {
    // Loaded here, not at the top: the web's username rule lives beside the routes, which pull in Fastify.
    const { usernameSchema } = await import('../../auth/routes.js');
    const parsed = usernameSchema.safeParse(rawUsername);
    if (!parsed.success) throw new CliError(translate('en', 'user.username_invalid'), 2);
    const username = normaliseUsername(parsed.data);
    const displayName = requiredOption(options, 'name');
    if (displayName.length < 2 || displayName.length > 120) throw new CliError('--name must be 2 to 120 characters.', 2);
    const role = requiredOption(options, 'role');
    if (!isRole(role)) throw new CliError(`--role must be one of: ${ROLES.join(', ')} (got "${role}").`, 2);
    const orgId = idOption(options, 'org');
    if (orgId === undefined) throw new CliError('--org is required.', 2);
    const homeOrgId = idOption(options, 'home-org') ?? orgId;

    return withDatabase(dataDir, async (db) => {
      if (findUserByUsername(db, username)) throw new CliError(`The username "${username}" is already taken.`);
      const org = activeOrganisation(db, orgId, 'org');
      if (homeOrgId !== orgId) activeOrganisation(db, homeOrgId, 'home-org');
      const { password, generated } = await choosePassword(username, options['password-stdin'] === true);
      const userId = createUser(db, CLI_AUDIT_CONTEXT, {
        username,
        displayName,
        passwordHash: await hashPassword(password),
        homeOrgId,
        assignments: [{ role, orgId }],
      });
      out(`Created user ${username} (id ${userId}): ${role} at [${org.id}] ${org.name}.`);
      if (generated) {
        out('');
        out(`Password (mật khẩu), shown only this once: ${password}`);
        out('Give it to the user over a safe channel; they can change it under "My account" (Tài khoản của tôi).');
      }
      return 0;
    });
  },
};
