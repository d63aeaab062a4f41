#!/usr/bin/env bash
# Fuzz the whole API against its own OpenAPI schema with schemathesis, once per role and unauthenticated.
#
# Needs a running development server (DEBUG=false so errors are real, rate limits off), e.g.:
#   export DATABASE_URL=postgres://postgres@127.0.0.1:5432/makrx_fuzz_run REDIS_URL=redis://127.0.0.1:6379/9 \
#          CELERY_TASK_ALWAYS_EAGER=true CELERY_BROKER_URL= ENVIRONMENT=development DEBUG=false RATELIMIT_ENABLE=false
#   createdb -h 127.0.0.1 -U postgres makrx_fuzz_run && .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed
#   .venv/bin/gunicorn makrx.wsgi -b 127.0.0.1:8765 -w 2
# and schemathesis in the venv (`.venv/bin/pip install schemathesis`; not a project requirement).
# Then (same environment, for dev_token): scripts/fuzz_api.sh [max-examples] [max-seconds-per-role]
# Reports land in ${FUZZ_OUT:-/tmp/makrx-fuzz}/<role>.txt; the server's log shows any traceback.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BASE=${FUZZ_BASE:-http://127.0.0.1:8765}
EXAMPLES=${1:-30}
MAX_TIME=${2:-300}
OUT=${FUZZ_OUT:-/tmp/makrx-fuzz}
CHECKS=${FUZZ_CHECKS:-not_a_server_error,content_type_conformance,response_schema_conformance}
mkdir -p "$OUT"

token() { .venv/bin/python manage.py dev_token --user "$1" --roles "$2" --minutes 600; }

run() {
    local name=$1
    shift
    echo "== $name"
    # From $OUT, so schemathesis' own .schemathesis/ folder lands there and not in the checkout.
    (cd "$OUT" && "$ROOT/.venv/bin/schemathesis" run "$BASE/api/schema/" --url "$BASE" --checks "$CHECKS" \
        --max-examples "$EXAMPLES" --max-time "$MAX_TIME" --request-timeout 20 --no-color \
        --suppress-health-check all --generation-database none --report junit --report-dir "$OUT/$name" "$@" >"$OUT/$name.txt" 2>&1) || true
    tail -n 25 "$OUT/$name.txt"
}

run anonymous
run super_admin -H "Authorization: Bearer $(token fuzzadmin super_admin)"
run store_admin -H "Authorization: Bearer $(token fuzzstore store_admin)"
run maker -H "Authorization: Bearer $(token fuzzmaker '')"
