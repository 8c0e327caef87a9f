import { findUserByUsername, setUserDisabled } from '../../users/repository.js';
import { CliError, type Command } from '../command.js';
import { CLI_AUDIT_CONTEXT, withDatabase } from '../database.js';

function userStatusCommand(disable: boolean): Command {
  return {
    name: disable ? 'user disable' : 'user enable',
    args: ['username'],
    summary: disable
      ? 'Block an account from signing in and end all its sessions (khóa tài khoản)'
      : 'Allow a disabled account to sign in again (mở khóa tài khoản)',
    options: {},
    run({ args: [username = ''], dataDir, out }) {
      return withDatabase(dataDir, (db) => {
        const user = findUserByUsername(db, username);
        if (!user) throw new CliError(`No user "${username}". See: bvte user list`);
        if ((user.disabledAt !== null) === disable) {
          out(`User ${user.username} is already ${disable ? 'disabled' : 'enabled'}; nothing changed.`);
          return 0;
        }
        setUserDisabled(db, CLI_AUDIT_CONTEXT, user.id, disable);
        out(disable ? `User ${user.username} is disabled and all their sessions have ended.` : `User ${user.username} is enabled.`);
        return 0;
      });
    },
  };
}

export const userDisableCommand = userStatusCommand(true);
export const userEnableCommand = userStatusCommand(false);
