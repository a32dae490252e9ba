/** Registration of `ecsprimer iam ...`: options in, `runX(options, ctx)` of src/iam/commands.ts out. */
import type { Command } from 'commander';
import type { Act, CommandGroup } from '../cli/act.js';
import { tagOption } from '../cli/options.js';

const load = () => import('../iam/commands.js');

const SECURITY_HELP = {
  admin: 'allow a policy that grants "Action": "*" on "Resource": "*"',
  publicTrust: 'allow a trust policy that lets anyone ("*") assume the role',
};

export const iamCommands: CommandGroup = {
  name: 'iam',
  description: 'IAM policies, roles and attachments',
  define(iam: Command, act: Act): void {
    iam
      .command('create')
      .description('create the stack\'s policy and role and attach one to the other, in one confirmed step')
      .option('--policy-name <name>', 'policy name (default: <stack>-policy)')
      .option('--policy-document <src>', 'permissions policy: inline JSON, file://PATH, PATH or - (default: json/policy.json)')
      .option('--role-name <name>', 'role name (default: <stack>-role)')
      .option('--trust-policy <src>', 'trust policy document (default: json/trust-policy.json, ECS tasks)')
      .option('--trust-principal <principal>', 'trust a service (ecs-tasks.amazonaws.com), an ARN, an account id, or "me"')
      .addOption(tagOption())
      .option('--allow-admin', SECURITY_HELP.admin)
      .option('--allow-public-trust', SECURITY_HELP.publicTrust)
      .action(act((o, ctx) => load().then((m) => m.runIamCreate(o, ctx))));

    iam
      .command('delete')
      .description('detach, then delete the stack\'s role and policy (the reverse of iam create)')
      .option('--policy-name <name>', 'policy name (default: <stack>-policy)')
      .option('--role-name <name>', 'role name (default: <stack>-role)')
      .action(act((o, ctx) => load().then((m) => m.runIamDelete(o, ctx))));

    iam
      .command('attach')
      .description('attach a managed policy to a role')
      .requiredOption('--role <name>', 'role name')
      .requiredOption('--policy <name|arn>', 'policy name (this stack, the account, or AWS managed) or ARN')
      .action(act((o, ctx) => load().then((m) => m.runAttach(o, ctx))));

    iam
      .command('detach')
      .description('detach a managed policy from a role')
      .requiredOption('--role <name>', 'role name')
      .requiredOption('--policy <name|arn>', 'policy name or ARN')
      .action(act((o, ctx) => load().then((m) => m.runDetach(o, ctx))));

    const policy = iam.command('policy').description('customer-managed policies');
    policy
      .command('create')
      .description('create a policy, or give it a new default version when its document changed')
      .requiredOption('--name <name>', 'policy name')
      .option('--document <src>', 'inline JSON, file://PATH, PATH or - for stdin (default: json/policy.json)')
      .option('--description <text>', 'description')
      .addOption(tagOption())
      .option('--allow-admin', SECURITY_HELP.admin)
      .action(act((o, ctx) => load().then((m) => m.runPolicyCreate(o, ctx))));
    policy
      .command('delete')
      .description('detach a policy from every role, user and group, delete its old versions, then delete it')
      .requiredOption('--name <name>', 'policy name')
      .action(act((o, ctx) => load().then((m) => m.runPolicyDelete(o, ctx))));

    const role = iam.command('role').description('roles and their trust policies');
    role
      .command('create')
      .description('create a role with a trust policy')
      .requiredOption('--name <name>', 'role name')
      .option('--trust-policy <src>', 'trust policy: inline JSON, file://PATH, PATH or - (default: json/trust-policy.json)')
      .option('--trust-principal <principal>', 'trust a service (ecs-tasks.amazonaws.com), an ARN, an account id, or "me"')
      .option('--description <text>', 'description')
      .addOption(tagOption())
      .option('--allow-public-trust', SECURITY_HELP.publicTrust)
      .action(act((o, ctx) => load().then((m) => m.runRoleCreate(o, ctx))));
    role
      .command('delete')
      .description('detach its policies, delete inline policies and instance-profile links, then the role')
      .requiredOption('--name <name>', 'role name')
      .action(act((o, ctx) => load().then((m) => m.runRoleDelete(o, ctx))));
  },
};
