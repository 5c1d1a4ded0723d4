#!/usr/bin/env bash
# Run before npm start / npm test: the idempotent setup, quiet when nothing is missing.
exec bash "$(dirname "${BASH_SOURCE[0]}")/setup.sh" --quiet
