#!/bin/sh
# cdktf.json's `app`: main.py on the selected engine's interpreter (runtime/engine; the
# Makefile's VENV per ENGINE). An unknown engine goes to the default one, where main.py says so.
case "${FLUXION_ENGINE:-cdktf}" in
  cdktn) exec engines/cdktn/.venv/bin/python main.py "$@" ;;
  *) exec .venv/bin/python main.py "$@" ;;
esac
