#!/bin/sh
# Registers the custom search attributes that gongzhi's workflows carry, in the namespace the app uses.
#
# Run by the one-shot `temporal-search-attributes` service (temporalio/admin-tools) on every
# `docker compose up`, before the api and the worker start: a workflow started with an attribute the
# namespace does not know is refused. Idempotent: an attribute already there with the same type is left
# alone (also when another run created it a moment ago); one already there with another type stops the
# deployment, because only an operator can decide what to do with the workflows that carry it.
#
# Input (environment):
#   TEMPORAL_ADDRESS           host:port of the Temporal frontend
#   TEMPORAL_NAMESPACE         the namespace the api and the worker use
#   GONGZHI_SEARCH_ATTRIBUTES  space-separated Name=Type pairs, e.g. "GongzhiKind=Keyword GongzhiStatus=Keyword"
#   ATTEMPTS, INTERVAL         how often, and how many seconds apart, to try before giving up (30, 2)
set -eu

: "${TEMPORAL_ADDRESS:?set TEMPORAL_ADDRESS}"
: "${TEMPORAL_NAMESPACE:?set TEMPORAL_NAMESPACE}"
: "${GONGZHI_SEARCH_ATTRIBUTES:?set GONGZHI_SEARCH_ATTRIBUTES to Name=Type pairs}"
attempts=${ATTEMPTS:-30}
interval=${INTERVAL:-2}

# A type as both sides can compare it: the CLI's "Keyword"/"KeywordList" and the server's
# INDEXED_VALUE_TYPE_KEYWORD / INDEXED_VALUE_TYPE_KEYWORD_LIST become "keyword" / "keywordlist".
normalise() {
  printf '%s' "$1" | tr '[:upper:]' '[:lower:]' | sed -e 's/^indexed_value_type_//' -e 's/_//g'
}

for pair in $GONGZHI_SEARCH_ATTRIBUTES; do
  case "$pair" in
    *=*) ;;
    *) echo "bad entry '$pair' in GONGZHI_SEARCH_ATTRIBUTES: expected Name=Type" >&2; exit 1 ;;
  esac
  if ! printf '%s' "${pair%%=*}" | grep -Eq '^[A-Za-z][A-Za-z0-9_]*$'; then
    echo "bad search attribute name '${pair%%=*}'" >&2
    exit 1
  fi
done

# The namespace's custom attributes, one "Name=type" line each (type normalised as above).
registered() {
  json=$(temporal operator search-attribute list \
    --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" --output json) || return 1
  printf '%s' "$json" | jq -r '
    (.customAttributes // {}) | to_entries[]
    | "\(.key)=\(.value
        | if type == "number"
          then ["unspecified", "text", "keyword", "int", "double", "bool", "datetime", "keywordlist"][.]
          else ascii_downcase | sub("^indexed_value_type_"; "") | gsub("_"; "")
          end)"'
}

attempt=1
while :; do
  if have=$(registered); then
    missing=""
    for pair in $GONGZHI_SEARCH_ATTRIBUTES; do
      name=${pair%%=*}
      type=${pair#*=}
      current=$(printf '%s\n' "$have" | sed -n "s/^$name=//p")
      if [ -z "$current" ]; then
        missing="$missing --name $name --type $type"
      elif [ "$current" != "$(normalise "$type")" ]; then
        echo "search attribute $name already exists in namespace $TEMPORAL_NAMESPACE as $current, not $type;" \
          "refusing to go on: rename the attribute in the code, or remove the old one by hand" >&2
        exit 1
      fi
    done
    if [ -z "$missing" ]; then
      echo "search attributes registered in namespace $TEMPORAL_NAMESPACE: $GONGZHI_SEARCH_ATTRIBUTES"
      exit 0
    fi
    echo "creating:$missing"
    # $missing is a list of flags, split on purpose.
    # shellcheck disable=SC2086
    if out=$(temporal operator search-attribute create \
      --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" $missing 2>&1); then
      echo "$out"
    else
      case "$out" in
        # Created meanwhile by another run: the next round checks its type.
        *"already exists"*) echo "$out" ;;
        *) echo "create failed: $out" >&2 ;;
      esac
    fi
    # Success is what the namespace lists afterwards, not what create said: the next round checks.
  else
    echo "Temporal not answering at $TEMPORAL_ADDRESS yet (attempt $attempt/$attempts)" >&2
  fi
  if [ "$attempt" -ge "$attempts" ]; then
    echo "gave up after $attempts attempts: search attributes not registered" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep "$interval"
done
