#!/usr/bin/env bash
# The same stack, removed with individual delete commands in reverse creation order.
# Each delete is idempotent: re-running the script after a failure finishes the rest.
set -euo pipefail

STACK="${STACK:-demo}"
ECSPRIMER="${ECSPRIMER:-npx ecsprimer}"
ep() { $ECSPRIMER --stack "$STACK" --yes "$@"; }

ep service delete --cluster "$STACK-cluster" --name "$STACK-web" --wait
ep task deregister --family "$STACK-web"
ep cluster delete --name "$STACK-cluster"
ep iam detach --role "$STACK-exec" --policy AmazonECSTaskExecutionRolePolicy
ep iam role delete --name "$STACK-exec"
ep iam delete
echo "stack $STACK is gone"
