# Shared by scripts/dev and scripts/test: set-up steps that install what they need on a fresh machine.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the Rust toolchain components the checks use (rustfmt, clippy) if missing.
ensure_rust() {
  command -v cargo >/dev/null || { echo "cargo is required (https://rustup.rs)" >&2; exit 1; }
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    log "installing rustfmt and clippy"
    rustup component add rustfmt clippy
  fi
}

# A virtualenv with the pinned Python tools; re-installed when the requirements change.
# ensure_venv [requirements file] (default: the test tools).
ensure_venv() {
  local req="${1:-$ROOT/scripts/requirements-test.txt}"
  local stamp="$VENV/.$(basename "$req").sha256"
  local want
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing Python test tools into .venv"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    echo "$want" > "$stamp"
  fi
}

# The AWS CLI v2 (Debian's `awscli` package), which the tests read generated AWS config back with;
# installed with apt if missing. Always called by its absolute path: the `aws` first on PATH may be
# a v1 (a pyenv shim, or PyPI's awscli), so use "$AWS_CLI_V2".
AWS_CLI_V2=/usr/bin/aws
ensure_aws_cli_v2() {
  if "$AWS_CLI_V2" --version 2>&1 | grep -q '^aws-cli/2\.'; then
    return 0
  fi
  apt_install awscli "the AWS CLI v2" "$AWS_CLI_V2"
  "$AWS_CLI_V2" --version 2>&1 | grep -q '^aws-cli/2\.' || {
    echo "$AWS_CLI_V2 is not the AWS CLI v2: $("$AWS_CLI_V2" --version 2>&1)" >&2; exit 1; }
}

# poppler-utils' pdftotext (and pdfinfo, pdftoppm), which the report PDF tests read the rendered
# PDF back with; installed with apt if missing.
PDFTOTEXT=/usr/bin/pdftotext
ensure_pdftotext() {
  if [ -x "$PDFTOTEXT" ]; then
    return 0
  fi
  apt_install poppler-utils pdftotext "$PDFTOTEXT"
}

# apt_install PACKAGE WHAT PATH: installs Debian's PACKAGE (as root, or with sudo), or stops saying
# WHAT is required at PATH when there is no apt.
apt_install() {
  local package="$1" what="$2" path="$3" sudo=""
  command -v apt-get >/dev/null || {
    echo "$what is required at $path (Debian's $package package)" >&2; exit 1; }
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing $what (apt: $package)"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts moto in server mode (one request at a time: scripts/moto_server.py says why) on a free
# loopback port; sets MOTO_URL and MOTO_PID.
start_moto() {
  local port
  port="$(free_port)"
  mkdir -p "$ROOT/target"
  "$VENV/bin/python" "$ROOT/scripts/moto_server.py" 127.0.0.1 "$port" >"$ROOT/target/moto.log" 2>&1 &
  MOTO_PID=$!
  MOTO_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('$MOTO_URL/moto-api/data.json', timeout=1)" 2>/dev/null; then
      log "moto is listening on $MOTO_URL"
      return 0
    fi
    sleep 0.2
  done
  echo "moto did not start; see target/moto.log" >&2
  cat "$ROOT/target/moto.log" >&2
  exit 1
}

# "CodeUri binary" for each function of the SAM template, in template order (template.yaml's
# `CodeUri:` and `Metadata.BuildProperties.Binary`). Needs PyYAML in .venv (either requirements file).
template_functions() {
  "$VENV/bin/python" - "$ROOT/template.yaml" <<'PY'
import yaml, sys
class Loader(yaml.SafeLoader):
    pass
Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
t = yaml.load(open(sys.argv[1]), Loader=Loader)
for r in t["Resources"].values():
    if r.get("Type") == "AWS::Serverless::Function":
        print(r["Properties"]["CodeUri"], r["Metadata"]["BuildProperties"]["Binary"])
PY
}

# check_functions NAME...: exits 2, naming template.yaml's functions, when a NAME is not one of them
# (before any build, so a typo does not cost a release build first).
check_functions() {
  local known n
  known="$(template_functions | awk '{print $2}')"
  for n in "$@"; do
    grep -qx -- "$n" <<< "$known" ||
      { echo "$n is not a function of template.yaml (its functions: $(paste -sd' ' <<< "$known"))" >&2; exit 2; }
  done
}

# Cargo's target directory for this workspace (CARGO_TARGET_DIR or cargo's configuration honoured).
cargo_target_dir() {
  (cd "$ROOT" && cargo metadata --format-version 1 --no-deps --locked) |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
}

# zipped_size FILE: the size in bytes of a Lambda package holding FILE as `bootstrap`, zipped as
# `sam deploy` / `sam package` zip a built function's folder: Python's zipfile, ZIP_DEFLATED at
# zlib's default level (aws-sam-cli, samcli/lib/package/utils.py `make_zip`; no compresslevel).
zipped_size() {
  local zip
  zip="$(mktemp -u).zip"
  python3 -c "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED); z.write(sys.argv[2],'bootstrap'); z.close()" "$zip" "$1"
  stat -c %s "$zip"
  rm -f "$zip"
}

# zip_budget FUNCTION: the most bytes its zipped package may take (scripts/lambda-sizes says why):
# 4 MB, report-pdf 16 MB.
zip_budget() {
  case "$1" in
    report-pdf) echo 16000000 ;;
    *) echo 4000000 ;;
  esac
}

# The CDK app's npm dependencies, exactly as locked; re-installed when the lock changes.
ensure_node_modules() {
  command -v npm >/dev/null || { echo "Node.js 20+ with npm is required for cdk/" >&2; exit 1; }
  # aws-cdk-lib needs Node.js 20 or later (Debian bookworm's nodejs is 18).
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  [ "$major" -ge 20 ] || { echo "Node.js 20+ is required for cdk/ (found $(node --version 2>/dev/null || echo none))" >&2; exit 1; }
  local stamp="$ROOT/cdk/node_modules/.package-lock.sha256"
  local want
  want="$(sha256sum "$ROOT/cdk/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "npm ci (cdk/)"
    (cd "$ROOT/cdk" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
}
