#!/usr/bin/env bash
# Production install on Debian/Ubuntu, in one command, safe to run again (each step checks first):
#
#   sudo scripts/install.sh --domain kiemtra.thoilong.vn [--tls public|ward-ca] [--database-url URL]
#
# It: installs the packages; creates the system user; puts the code in --prefix with its own virtual
# environment; creates the PostgreSQL role and database with PostGIS (the extension by the postgres
# superuser once; the app's role owns its tables); writes instance/config.py (database, photo folder,
# proxy, expected database kind) without touching one that exists; migrates WITHOUT demo data;
# installs the systemd units and timers (app, hourly housekeeping, nightly backup) and nginx with
# HTTPS: a public name gets a Let's Encrypt certificate (certbot), the office network gets the ward's
# own certificate authority (made here; phones install its certificate from http://DOMAIN/ward-ca.crt).
#
# --no-system (for tests and for trying it as an ordinary user): no packages, no user, no systemctl,
# nothing written outside --prefix; the units, nginx site and certificates are rendered into
# PREFIX/rendered/ instead. --venv PATH reuses an existing virtual environment.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

prefix=/srv/inspect
user=inspect
domain=""
tls=ward-ca
database_url=""
backup_dir=""
system=1
venv=""
http_port=80
https_port=443
app_port=8000

say() { printf '==> %s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --user) user=$2; shift 2 ;;
    --domain) domain=$2; shift 2 ;;
    --tls) tls=$2; shift 2 ;;
    --database-url) database_url=$2; shift 2 ;;
    --backup-dir) backup_dir=$2; shift 2 ;;
    --venv) venv=$2; shift 2 ;;
    --http-port) http_port=$2; shift 2 ;;
    --https-port) https_port=$2; shift 2 ;;
    --app-port) app_port=$2; shift 2 ;;
    --no-system) system=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[ -n "$domain" ] || die "give the ward's host name: --domain kiemtra.example.vn (or the server's address on the office network)"
# Every option ends up in a config file, a certificate or SQL: only plain values are accepted.
[[ "$domain" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || die "--domain: a host name or an IPv4 address, nothing else"
[[ "$user" =~ ^[a-z_][a-z0-9_-]*$ ]] || die "--user: lower-case letters, digits, _ and -"
for port in "$http_port" "$https_port" "$app_port"; do [[ "$port" =~ ^[0-9]{2,5}$ ]] || die "--http-port, --https-port, --app-port: numbers only"; done
database_url=${database_url/#postgres:\/\//postgresql://}
[[ -z "$database_url" || "$database_url" =~ ^[A-Za-z0-9+:/@._?=%-]+$ ]] || die "--database-url: no quotes or spaces"
[[ "$prefix" =~ ^/[A-Za-z0-9/._-]+$ ]] || die "--prefix: an absolute path of letters, digits, / . _ -"
case "$tls" in public|ward-ca) ;; *) die "--tls is public or ward-ca" ;; esac
backup_dir=${backup_dir:-$([ "$system" = 1 ] && echo /var/backups/inspect || echo "$prefix/backups")}
[ "$system" = 1 ] && [ "$(id -u)" != 0 ] && die "run as root (sudo), or with --no-system to try it in a folder"
[ "$system" = 0 ] && user=$(id -un)

as_app() { if [ "$system" = 1 ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }

# --- 1. Packages and the system user ------------------------------------------------------------
if [ "$system" = 1 ]; then
  debs=(python3-venv git libsqlite3-mod-spatialite chromium libreoffice-writer-nogui fonts-liberation fonts-liberation2
        fonts-dejavu-core nginx-light openssl
        postgresql-15-postgis-3 postgresql-client-15)
  [ "$tls" = public ] && debs+=(certbot python3-certbot-nginx)
  missing=()
  for pkg in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
  id -u "$user" >/dev/null 2>&1 || { say "creating the system user $user"; useradd --system --create-home --home-dir "/home/$user" --shell /usr/sbin/nologin "$user"; }
fi

# --- 2. The code and its virtual environment ----------------------------------------------------
if [ "$(cd "$prefix" 2>/dev/null && pwd)" != "$here" ]; then
  mkdir -p "$prefix"
  say "copying the code of $(git -C "$here" describe --always --dirty 2>/dev/null || echo this checkout) to $prefix"
  # The tracked files only: never the ward's data (instance/) of this checkout.
  git -C "$here" ls-files -z | (cd "$here" && tar --null -T - -cf -) | tar --no-same-owner -xf - -C "$prefix"
  # Files removed or renamed upstream go too (a stale migration would make two heads); never the ward's
  # data or the environment, which are not in these folders.
  tracked=$(mktemp); present=$(mktemp)
  git -C "$here" ls-files | sort > "$tracked"
  (cd "$prefix" && find inspect_app migrations scripts deploy docs tests bench -type f ! -path '*/__pycache__/*' \
      ! -name '*.mo' 2>/dev/null | sort) > "$present"
  comm -13 "$tracked" "$present" | while IFS= read -r stale; do rm -f -- "$prefix/$stale"; done
  rm -f "$tracked" "$present"
fi
if [ -n "$venv" ]; then
  # Reuse a checkout's prepared set-up: its virtual environment and its browser-side packages.
  [ -e "$prefix/.venv" ] || ln -s "$(cd "$venv" && pwd)" "$prefix/.venv"
  modules="$(cd "$venv/.." && pwd)/vendor/node_modules"
  [ -e "$prefix/vendor/node_modules" ] || { [ -d "$modules" ] && ln -s "$modules" "$prefix/vendor/node_modules"; } || true
  (cd "$prefix" && .venv/bin/pybabel compile -d inspect_app/translations >/dev/null)
else
  (cd "$prefix" && scripts/bootstrap.sh run)  # packages, venv, browser-side packages, translations
fi
# The code and its environment stay root's (the app's user can never rewrite what root runs at the next
# upgrade); only instance/ (config, keys, photos) and the backups belong to the app's user.

# --- 3. The database (PostgreSQL with PostGIS) --------------------------------------------------
if [ -z "$database_url" ]; then
  [ "$system" = 1 ] || die "--no-system needs --database-url"
  if ! runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$user'" | grep -q 1; then
    say "creating the PostgreSQL role $user (CREATEDB for the monthly restore drill)"
    runuser -u postgres -- psql -qc "CREATE ROLE \"$user\" LOGIN CREATEDB"
  fi
  if ! runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'inspect'" | grep -q 1; then
    say "creating the database inspect, owned by $user"
    runuser -u postgres -- createdb -O "$user" inspect
  fi
  # PostGIS is a superuser's to create, once; the app's role then owns every table it creates.
  runuser -u postgres -- psql -qd inspect -c 'CREATE EXTENSION IF NOT EXISTS postgis'
  # The monthly restore drill copies this template (PostGIS inside), as the app's role may not create PostGIS.
  if ! runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'inspect_template'" | grep -q 1; then
    runuser -u postgres -- createdb -T template0 inspect_template
    runuser -u postgres -- psql -qd inspect_template -c 'CREATE EXTENSION postgis'
    runuser -u postgres -- psql -qc "UPDATE pg_database SET datistemplate = true WHERE datname = 'inspect_template'"
  fi
  database_url="postgresql:///inspect?host=/var/run/postgresql"
fi
case "$database_url" in postgres*) kind=postgis ;; sqlite*) kind=spatialite ;; *) die "unsupported --database-url" ;; esac

# --- 4. instance/config.py: written once, never overwritten -------------------------------------
config="$prefix/instance/config.py"
mkdir -p "$prefix/instance" "$prefix/instance/photos"
chmod 700 "$prefix/instance"
if [ ! -f "$config" ]; then
  say "writing $config"
  umask 077
  cat > "$config" <<EOF
# Written by scripts/install.sh on $(date -u +%Y-%m-%d). Every unit, timer and flask command of this
# installation reads it, so they all use this database.
SQLALCHEMY_DATABASE_URI = "$database_url"
EXPECTED_DATABASE = "$kind"
PHOTO_DIR = "$prefix/instance/photos"
BEHIND_PROXY = True
SESSION_COOKIE_SECURE = True
REMEMBER_COOKIE_SECURE = True
EOF
  umask 022
else
  say "$config exists: left as it is"
fi
# Only the ward's authority lines follow the options of each run (a new address, or a switch between
# --tls public and ward-ca): the rest of the file stays the ward's.
sed -i '/^WARD_CA_CERT = /d; /^WARD_CA_URL = /d; /^BACKUP_DIR = /d; /^PUBLIC_URL = /d' "$config"
echo "BACKUP_DIR = \"$backup_dir\"" >> "$config"  # the office's home page shows the last backup's age
echo "PUBLIC_URL = \"https://$domain$([ "$https_port" = 443 ] && echo "" || echo ":$https_port")\"" >> "$config"  # links in e-mails
if [ "$tls" = ward-ca ]; then
  http_suffix=$([ "$http_port" = 80 ] && echo "" || echo ":$http_port")
  out_dir=$([ "$system" = 1 ] && echo /etc || echo "$prefix/rendered")
  printf 'WARD_CA_CERT = "%s"\nWARD_CA_URL = "http://%s%s/ward-ca.crt"\n' "$out_dir/inspect/tls/ward-ca.crt" "$domain" "$http_suffix" >> "$config"
fi
[ "$system" = 1 ] && chown -R "$user:$user" "$prefix/instance"

# --- 5. Migrate (no demo data in a real installation) ------------------------------------------
say "migrating the database"
(cd "$prefix" && unset DATABASE_URL && as_app .venv/bin/flask --app wsgi db upgrade >/dev/null)

# --- 6. Units, timers and the web server -------------------------------------------------------
out=$([ "$system" = 1 ] && echo /etc || echo "$prefix/rendered")
units="$out/systemd/system"; sites="$out/nginx/sites-enabled"; tls_dir="$out/inspect/tls"
mkdir -p "$units" "$sites" "$tls_dir" "$backup_dir"
chmod 700 "$backup_dir"; [ "$system" = 1 ] && chown "$user:$user" "$backup_dir"
https_suffix=$([ "$https_port" = 443 ] && echo "" || echo ":$https_port")
render() {
  sed -e "s|@PREFIX@|$prefix|g" -e "s|@USER@|$user|g" -e "s|@BACKUP_DIR@|$backup_dir|g" -e "s|@DOMAIN@|$domain|g" \
      -e "s|@CERT@|$cert|g" -e "s|@KEY@|$key|g" -e "s|@CA_CERT@|$ca_cert|g" -e "s|@HTTP_PORT@|$http_port|g" \
      -e "s|@HTTPS_PORT@|$https_port|g" -e "s|@HTTPS_PORT_SUFFIX@|$https_suffix|g" -e "s|@APP_PORT@|$app_port|g" "$1"
}
if [ "$tls" = ward-ca ]; then
  ca_cert="$tls_dir/ward-ca.crt"; cert="$tls_dir/server.crt"; key="$tls_dir/server.key"
  if [ -f "$ca_cert" ] && [ "$(cat "$tls_dir/ward-ca.for" 2>/dev/null)" != "$domain" ]; then
    # The authority vouches for one name or address only: another one needs a new authority, which
    # every phone installs again (said at the end).
    say "the server's name changed: a new certificate authority for $domain"
    rm -f "$ca_cert" "$tls_dir/ward-ca.key" "$cert"
    ca_renewed=1
  fi
  if [ ! -f "$ca_cert" ]; then
    say "making the ward's certificate authority (phones install $ca_cert once)"
    # Name-constrained: the authority can vouch for this server's name or address only, never for
    # another site the phone visits (a bank's), even if its key were stolen.
    if [[ "$domain" =~ ^[0-9.]+$ ]]; then permitted="IP:$domain/255.255.255.255"; else permitted="DNS:$domain"; fi
    openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/O=UBND/CN=Chung thu so noi bo $domain" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -addext "nameConstraints=critical,permitted;$permitted" \
      -keyout "$tls_dir/ward-ca.key" -out "$ca_cert" 2>/dev/null
    chmod 600 "$tls_dir/ward-ca.key"
    printf '%s' "$domain" > "$tls_dir/ward-ca.for"
  fi
  matches() {  # the certificate names this domain or address and is good for 30 more days
    local check=(-checkhost "$domain"); [[ "$domain" =~ ^[0-9.]+$ ]] && check=(-checkip "$domain")
    openssl x509 -in "$cert" -noout -checkend 2592000 >/dev/null && openssl x509 -in "$cert" -noout "${check[@]}" | grep -q "does match"
  }
  if [ ! -f "$cert" ] || ! matches; then
    say "making the server certificate for $domain, signed by the ward's authority"
    san="DNS:$domain"; [[ "$domain" =~ ^[0-9.]+$ ]] && san="IP:$domain"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$domain" -keyout "$key" -out "$tls_dir/server.csr" 2>/dev/null
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$san" > "$tls_dir/server.ext"
    openssl x509 -req -in "$tls_dir/server.csr" -CA "$ca_cert" -CAkey "$tls_dir/ward-ca.key" -CAcreateserial \
      -days 825 -sha256 -extfile "$tls_dir/server.ext" -out "$cert" 2>/dev/null
    chmod 600 "$key"
  fi
else
  ca_cert=""; cert="/etc/letsencrypt/live/$domain/fullchain.pem"; key="/etc/letsencrypt/live/$domain/privkey.pem"
fi
for file in "$here"/deploy/systemd/*; do
  render "$file" > "$units/$(basename "$file")"
done
render "$here/deploy/nginx/inspect.conf" > "$sites/inspect.conf"
if [ "$tls" = ward-ca ]; then
  # Phones fetch the authority's certificate and read how to install it (/ward-ca, with its stylesheet
  # and icons: public files) over plain HTTP, as they do not trust HTTPS yet; everything else redirects.
  proxy="proxy_pass http://127.0.0.1:$app_port; proxy_set_header Host \$http_host; proxy_set_header X-Forwarded-For \$remote_addr; proxy_set_header X-Forwarded-Proto http; proxy_set_header X-Forwarded-Host \$http_host;"
  sed -i "s|^    location / { return 301 https://.*|    location = /ward-ca.crt { alias $ca_cert; default_type application/x-x509-ca-cert; }\n    location = /ward-ca { $proxy }\n    location /static/ { $proxy }\n&|" "$sites/inspect.conf"
fi

if [ "$system" = 1 ]; then
  rm -f /etc/nginx/sites-enabled/default
  if [ "$tls" = public ] && [ ! -f "$cert" ]; then
    # First the name must answer on port 80 for Let's Encrypt's check: a site without the HTTPS server
    # (whose certificate does not exist yet), then the certificate, then the whole site.
    mkdir -p /var/www/letsencrypt
    sed -n '1,/^}/p' "$sites/inspect.conf" > "$sites/inspect.conf.first" && mv "$sites/inspect.conf.first" "$sites/inspect.conf"
    nginx -t && systemctl reload-or-restart nginx
    certbot certonly --webroot -w /var/www/letsencrypt -d "$domain" --non-interactive --agree-tos --register-unsafely-without-email
    render "$here/deploy/nginx/inspect.conf" > "$sites/inspect.conf"
  fi
  nginx -t && systemctl reload-or-restart nginx
  # One command for the IT person, from any folder: the installation's flask, as the app's user.
  printf '#!/bin/sh\ncd %s && exec runuser -u %s -- .venv/bin/flask --app wsgi "$@"\n' "$prefix" "$user" > /usr/local/bin/inspect-flask
  chmod 755 /usr/local/bin/inspect-flask
  systemctl daemon-reload
  systemctl enable --now inspect.service inspect-housekeeping.timer inspect-backup.timer inspect-reminders.timer
fi

say "installed in $prefix (database: $kind; backups: $backup_dir; certificates: $tls)"
[ "$tls" = ward-ca ] && say "on each phone: open http://$domain/ward-ca and install the certificate (docs/HUONG-DAN-CAI-DAT.md)"
[ "${ca_renewed:-0}" = 1 ] && say "NEW CERTIFICATE AUTHORITY: every phone must install it again from http://$domain/ward-ca"
say "first administrator: inspect-flask users create <name> --role admin   (without --no-system)"
