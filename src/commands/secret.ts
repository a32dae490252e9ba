/** Registration of `ecsprimer secret ...`: Secrets Manager secrets of the stack (src/ecs/secret.ts). */
import { group } from '../cli/act.js';
import { required, tagOption } from '../cli/options.js';

const load = () => import('../ecs/secret.js');

export const secretCommands = group('secret', 'Secrets Manager secrets of the stack', (secret, act) => {
  const name = () => required('--name <name>', 'secret name (letters, digits and / _ + = . @ -)');
  secret
    .command('create')
    .description('create a secret tagged with the stack; the value from stdin (asked for on a terminal) or --from-file, never an argument; a new value is an update')
    .addOption(name())
    .option('--description <text>', 'what the secret is for')
    .option('--from-file <path>', 'read the value from this file (one trailing newline is dropped)')
    .addOption(tagOption())
    .action(act(load, 'runSecretCreate'));
  secret
    .command('delete')
    .description('delete a secret: restorable for a recovery window (default 7 days), or at once with --force-delete')
    .addOption(name())
    .option('--recovery-days <days>', 'days (7–30) during which aws secretsmanager restore-secret brings it back (default 7)')
    .option('--force-delete', 'delete it at once, without a recovery window')
    .action(act(load, 'runSecretDelete'));
});
