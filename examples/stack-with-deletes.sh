#!/usr/bin/env bash
# The same stack, removed with individual delete commands in reverse creation order.
# Each delete is idempotent: re-running the script after a failure finishes the rest.
set -euo pipefail

STACK="${STACK:-demo}"
ECSPRIMER="${ECSPRIMER:-npx ecsprimer}"
ep() { $ECSPRIMER --stack "$STACK" --yes "$@"; }

ep service delete --cluster "$STACK-cluster" --name "$STACK-web" --wait
ep task deregister --family "$STACK-web"
ep logs delete --group "/ecs/$STACK-web"
ep iam role delete --name "$STACK-exec"         # detaches AmazonECSTaskExecutionRolePolicy first
ep cluster delete --name "$STACK-cluster"
ep iam delete
echo "stack $STACK is gone"
