#!/usr/bin/env bash
# Provision a small ECS stack with individual ecsprimer commands, then tear it down.
# Every command is checked: set -e stops at the first failure, and the trap tears down
# whatever was created so far (teardown only ever deletes what this stack created).
set -euo pipefail

STACK="${STACK:-demo}"
ECSPRIMER="${ECSPRIMER:-npx ecsprimer}"
ep() { $ECSPRIMER --stack "$STACK" --yes "$@"; }

cleanup() {
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "a step failed (exit $status): tearing down what stack $STACK created" >&2
    ep teardown || echo "teardown did not finish: run 'ecsprimer teardown --stack $STACK --yes' again" >&2
  fi
  exit "$status"
}
trap cleanup EXIT

ep iam create                                   # task role (trusted by this account's ECS tasks) + its policy
ep cluster create --name "$STACK-cluster"
# Family $STACK-web; with it, its log group /ecs/$STACK-web and the execution role $STACK-exec
# (the plain trust AWS documents for execution roles, AmazonECSTaskExecutionRolePolicy attached).
ep task register --task-role "$STACK-role"
ep service create --cluster "$STACK-cluster" --name "$STACK-web" \
  --task-definition "$STACK-web" --desired-count 2 --launch-type FARGATE --wait

ep status                                       # what the stack holds, live

# ... use the service ...

ep teardown                                     # services → task definitions → cluster → IAM
trap - EXIT
echo "stack $STACK is gone"
