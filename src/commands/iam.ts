/** Registration of `ecsprimer iam ...`: options in, `runX(options, ctx)` of src/iam/commands.ts out. */
import { Option, type Command } from 'commander';
import { group } from '../cli/act.js';
import { required, tagOption } from '../cli/options.js';

const load = () => import('../iam/commands.js');

const allowAdmin = () => new Option('--allow-admin', 'allow a policy that grants "Action": "*" on "Resource": "*"');
const allowPublicTrust = () => new Option('--allow-public-trust', 'allow a trust policy that lets anyone ("*") assume the role');
const trustPrincipal = () => new Option('--trust-principal <principal>', 'trust a service (ecs-tasks.amazonaws.com), an ARN, an account id, or "me"');
const policyName = () => new Option('--policy-name <name>', 'policy name (default: <stack>-policy)');
const roleName = () => new Option('--role-name <name>', 'role name (default: <stack>-role)');
/** --role and --policy of attach and detach. */
const attachment = (cmd: Command, policyHelp: string) => cmd.addOption(required('--role <name>', 'role name')).addOption(required('--policy <name|arn>', policyHelp));

export const iamCommands = group('iam', 'IAM policies, roles and attachments', (iam, act) => {
  iam
    .command('create')
    .description("create the stack's policy and role and attach one to the other, in one confirmed step")
    .addOption(policyName())
    .option('--policy-document <src>', 'permissions policy: inline JSON, file://PATH, PATH or - (default: json/policy.json)')
    .addOption(roleName())
    .option('--trust-policy <src>', 'trust policy document (default: json/trust-policy.json, ECS tasks)')
    .addOption(trustPrincipal())
    .addOption(tagOption())
    .addOption(allowAdmin())
    .addOption(allowPublicTrust())
    .action(act(load, 'runIamCreate'));
  iam.command('delete').description("detach, then delete the stack's role and policy (the reverse of iam create)").addOption(policyName()).addOption(roleName()).action(act(load, 'runIamDelete'));
  attachment(iam.command('attach').description('attach a managed policy to a role'), 'policy name (this stack, the account, or AWS managed) or ARN').action(act(load, 'runAttach'));
  attachment(iam.command('detach').description('detach a managed policy from a role'), 'policy name or ARN').action(act(load, 'runDetach'));

  const policy = iam.command('policy').description('customer-managed policies');
  policy
    .command('create')
    .description('create a policy, or give it a new default version when its document changed')
    .addOption(required('--name <name>', 'policy name'))
    .option('--document <src>', 'inline JSON, file://PATH, PATH or - for stdin (default: json/policy.json)')
    .option('--description <text>', 'description')
    .addOption(tagOption())
    .addOption(allowAdmin())
    .action(act(load, 'runPolicyCreate'));
  policy
    .command('delete')
    .description('detach a policy from every role, user and group, delete its old versions, then delete it')
    .addOption(required('--name <name>', 'policy name'))
    .action(act(load, 'runPolicyDelete'));

  const role = iam.command('role').description('roles and their trust policies');
  role
    .command('create')
    .description('create a role with a trust policy')
    .addOption(required('--name <name>', 'role name'))
    .option('--trust-policy <src>', 'trust policy: inline JSON, file://PATH, PATH or - (default: json/trust-policy.json)')
    .addOption(trustPrincipal())
    .option('--description <text>', 'description')
    .addOption(tagOption())
    .addOption(allowPublicTrust())
    .action(act(load, 'runRoleCreate'));
  role.command('delete').description('detach its policies, delete inline policies and instance-profile links, then the role').addOption(required('--name <name>', 'role name')).action(act(load, 'runRoleDelete'));
});
