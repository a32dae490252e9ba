/** Registration of `ecsprimer ecr ...`: the stack's image repositories (src/ecs/ecr.ts). */
import { group } from '../cli/act.js';
import { required, tagOption } from '../cli/options.js';

const load = () => import('../ecs/ecr.js');

export const ecrCommands = group('ecr', 'ECR image repositories of the stack', (ecr, act) => {
  const name = () => required('--name <name>', 'repository name (lowercase; namespaces with /, e.g. team/web)');
  ecr
    .command('create')
    .description('create a repository tagged with the stack, with scan on push and a lifecycle policy (a re-run with the same settings is unchanged)')
    .addOption(name())
    .option('--scan-on-push', 'scan each image when it is pushed (the default)')
    .option('--no-scan-on-push', 'do not scan images on push')
    .option('--keep <n>', 'lifecycle policy: keep the newest N images, expire the rest (default 10)')
    .option('--immutable-tags', 'refuse to push a tag that exists already (default: tags can be moved)')
    .addOption(tagOption())
    .action(act(load, 'runEcrCreate'));
  ecr
    .command('delete')
    .description('delete a repository; refuses while it holds images (saying how many) unless --force')
    .addOption(name())
    .option('--force', 'delete it with its images')
    .action(act(load, 'runEcrDelete'));
  ecr
    .command('login')
    .description('log Docker in to the account\'s registry (docker login --password-stdin); without docker, print the command that does')
    .action(act(load, 'runEcrLogin'));
});
