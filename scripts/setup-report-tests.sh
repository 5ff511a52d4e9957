#!/usr/bin/env bash
# Prepares what the report tests (crates/reports) need, from Debian's packages:
#   poppler-utils      pdftotext, pdfinfo and pdftoppm, which read the rendered PDFs back;
#                      pdftotext is also what reads PDF resumes (crates/resumes), tests included
#   fonts-dejavu-core  DejaVu Sans, the fonts the PDF reports are set in (also at run time)
# Idempotent: installs only what is missing. Exit 0: ready. Exit 1: not, with why on stderr.
set -euo pipefail

missing=()
for tool in pdftotext pdfinfo pdftoppm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    missing+=(poppler-utils)
    break
  fi
done
fonts=/usr/share/fonts/truetype/dejavu
if [ ! -f "$fonts/DejaVuSans.ttf" ] || [ ! -f "$fonts/DejaVuSans-Bold.ttf" ]; then
  missing+=(fonts-dejavu-core)
fi
[ "${#missing[@]}" = 0 ] && exit 0

exec "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" setup-report-tests "${missing[@]}"
