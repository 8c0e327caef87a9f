import { createApiKey, findApiKey, listApiKeys, revokeApiKey } from '../api/keys.js';
import { findOrganisation } from '../orgs/repository.js';
import { CliError, formatTable, idOption, requiredOption, type Command } from './command.js';
import { CLI_AUDIT_CONTEXT, withDatabase } from './database.js';

const NAME_MAX = 100;

export const apikeyCreateCommand: Command = {
  name: 'apikey create',
  args: [],
  summary: 'Create an API key for a telephony system; the key is printed once (tạo khóa API)',
  options: {
    org: { type: 'string', placeholder: 'ID', required: true, description: 'Organisation the key belongs to (see: bvte org list)' },
    name: { type: 'string', placeholder: 'NAME', required: true, description: 'A name to tell keys apart, e.g. "Tổng đài 111 — máy chủ chính"' },
  },
  run({ options, dataDir, out }) {
    const orgId = idOption(options, 'org');
    if (orgId === undefined) throw new CliError('--org is required.', 2);
    const name = requiredOption(options, 'name');
    if ([...name].length > NAME_MAX) throw new CliError(`--name must be at most ${NAME_MAX} characters.`, 2);
    return withDatabase(dataDir, (db) => {
      const org = findOrganisation(db, orgId);
      if (!org || !org.active) throw new CliError(`No active organisation with id ${orgId}. See: bvte org list`);
      const { id, key } = createApiKey(db, CLI_AUDIT_CONTEXT, { orgId, name, createdBy: null });
      out(`API key ${id} created for ${org.name}. Copy it now: it is stored only as a hash and cannot be shown again.`);
      out();
      out(key);
      out();
      out('Send it as: Authorization: Bearer <key>');
      return 0;
    });
  },
};

export const apikeyListCommand: Command = {
  name: 'apikey list',
  args: [],
  summary: 'List API keys with their organisation, last use and status (danh sách khóa API)',
  options: {},
  run({ dataDir, out }) {
    return withDatabase(
      dataDir,
      (db) => {
        const rows = listApiKeys(db);
        if (rows.length === 0) {
          out('No API keys yet.');
          return 0;
        }
        const table = rows.map((row) => [
          String(row.id),
          row.name,
          row.orgName,
          `${row.prefix}…`,
          row.createdAt,
          row.lastUsedAt ?? 'never',
          row.revokedAt ? `revoked ${row.revokedAt}` : 'active',
        ]);
        for (const line of formatTable(['ID', 'NAME', 'ORGANISATION', 'KEY', 'CREATED', 'LAST USED', 'STATUS'], table)) out(line);
        return 0;
      },
      { readonly: true },
    );
  },
};

export const apikeyRevokeCommand: Command = {
  name: 'apikey revoke',
  args: ['id'],
  summary: 'Revoke an API key at once; requests with it are refused from now on (thu hồi khóa API)',
  options: {},
  run({ args: [raw = ''], dataDir, out }) {
    if (!/^[1-9]\d{0,15}$/.test(raw)) throw new CliError(`The id must be a positive whole number, got "${raw}". See: bvte apikey list`, 2);
    const id = Number(raw);
    return withDatabase(dataDir, (db) => {
      const key = findApiKey(db, id);
      if (!key) throw new CliError(`No API key ${id}. See: bvte apikey list`);
      if (!revokeApiKey(db, CLI_AUDIT_CONTEXT, id)) {
        out(`API key ${id} (${key.name}) was already revoked; nothing changed.`);
        return 0;
      }
      out(`API key ${id} (${key.name}) is revoked.`);
      return 0;
    });
  },
};

export const APIKEY_COMMANDS: Command[] = [apikeyCreateCommand, apikeyListCommand, apikeyRevokeCommand];
