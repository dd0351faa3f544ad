#!/usr/bin/env bash
# Runs schemathesis (PyPI) against a running `fornax serve`: every operation in its
# openapi.json, every check, once with the admin token and once without. Fails on any
# failed check: a server error, a status code or body that openapi.json does not
# declare, a schema-invalid request accepted, a missing auth check, ...
#
# One check is left out, positive_data_acceptance: it expects every schema-valid body
# to be accepted, but a bundle or CSV upload is bytes whose validity no schema can say
# (a random octet string is not a .fornax bundle), and a job names a dataset that must
# have been uploaded first. Those answer 422 with the reason, as documented.
#
# Usage: schemathesis.sh BASE_URL TOKEN [MAX_EXAMPLES]
set -euo pipefail
url=$1 token=$2 examples=${3:-100}
st="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/st"
[ -x "$st" ] || st=st
common=(run "$url/openapi.json" --checks all --exclude-checks positive_data_acceptance
        --max-examples "$examples" --seed 1 --warnings off --no-color)
status=0
echo "== with the admin token"
"$st" "${common[@]}" -H "Authorization: Bearer $token" || status=1
echo "== without a token"
"$st" "${common[@]}" || status=1
exit $status
