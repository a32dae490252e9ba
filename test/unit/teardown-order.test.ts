/**
 * The order of a stack's teardown between its roles and its policies (src/stack/teardown.ts):
 * a role waits for a policy's delete only when that delete is what detaches the policy from it;
 * an attachment the journal's detach step removes, or a policy not attached to the role, does not
 * hold the role back (AWS needs nothing else between the two). Steps built from an inventory made
 * here, so each case is exactly the one named.
 */
import { describe, expect, it } from 'vitest';
import type { Inventory, Item } from '../../src/stack/inventory.js';
import type { PolicyDeleteState, RoleDeleteState } from '../../src/iam/steps.js';
import { teardownSteps } from '../../src/stack/teardown.js';
import { ACCOUNT, stackPolicyArn, stackRoleArn, stackTags, testContext, useCliEnv } from '../support/in-process.js';

useCliEnv();

const POLICY_ARN = stackPolicyArn('web-policy');
const EXEC_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

function role(name: string, attached: string[]): Item<RoleDeleteState> {
  const arn = stackRoleArn(name);
  return { type: 'iam-role', name, arn, origin: 'created', tagged: true, tags: stackTags(), ownership: 'owned', live: { info: { arn, name, path: '/ecsprimer/ecsprimer/', tags: stackTags(), trust: {} }, attached, inline: [], profiles: [] } };
}

function policy(attachedTo: string[]): Item<PolicyDeleteState> {
  return {
    type: 'iam-policy',
    name: 'web-policy',
    arn: POLICY_ARN,
    origin: 'created',
    tagged: true,
    tags: stackTags(),
    ownership: 'owned',
    live: { info: { arn: POLICY_ARN, name: 'web-policy', path: '/ecsprimer/ecsprimer/', defaultVersionId: 'v1', attachmentCount: attachedTo.length, tags: stackTags() }, entities: { roles: attachedTo, users: [], groups: [] }, versions: [] },
  };
}

function inventory(o: { roles: Item<RoleDeleteState>[]; policies: Item<PolicyDeleteState>[]; attachments: Inventory['attachments'] }): Inventory {
  return { account: ACCOUNT, clusters: [], services: [], tasks: [], taskDefinitions: [], logGroups: [], repositories: [], secrets: [], scalingTargets: [], loadBalancers: [], listeners: [], rules: [], targetGroups: [], securityGroups: [], warnings: [], journalEmpty: false, ...o };
}

const dependsOf = (inv: Inventory, id: string) => teardownSteps(testContext().ctx, inv).find((s) => s.id === id)?.dependsOn ?? [];

describe('teardown: roles and policies', () => {
  it('attachments the journal detaches: each role waits for its detach, not for the policy delete', () => {
    const inv = inventory({
      roles: [role('web-role', [POLICY_ARN]), role('web-exec', [EXEC_POLICY])],
      policies: [policy(['web-role'])],
      attachments: [
        { role: 'web-role', policyArn: POLICY_ARN, attached: true },
        { role: 'web-exec', policyArn: EXEC_POLICY, attached: true },
      ],
    });
    expect(dependsOf(inv, 'role:web-role')).toEqual([`detach:web-role|${POLICY_ARN}`, `detach:web-exec|${EXEC_POLICY}`]);
    expect(dependsOf(inv, 'role:web-exec')).not.toContain('policy:web-policy');
    // The policy itself waits for the detaches.
    expect(dependsOf(inv, 'policy:web-policy')).toEqual([`detach:web-role|${POLICY_ARN}`, `detach:web-exec|${EXEC_POLICY}`]);
  });

  it('an attachment no detach step removes (a lost journal): the role waits for the policy delete, which detaches it', () => {
    const inv = inventory({ roles: [role('web-role', [POLICY_ARN]), role('web-exec', [])], policies: [policy(['web-role'])], attachments: [] });
    expect(dependsOf(inv, 'role:web-role')).toEqual(['policy:web-policy']);
    expect(dependsOf(inv, 'role:web-exec')).toEqual([]);
    // The role's own delete does not detach it a second time.
    const roleStep = teardownSteps(testContext().ctx, inv).find((s) => s.id === 'role:web-role');
    expect(roleStep?.calls.map((c) => c.operation)).toEqual(['DeleteRole']);
  });

  it('known attached by either side is enough to wait: the policy lists the role though the role read missed it', () => {
    const inv = inventory({ roles: [role('web-role', [])], policies: [policy(['web-role'])], attachments: [] });
    expect(dependsOf(inv, 'role:web-role')).toEqual(['policy:web-policy']);
  });
});
