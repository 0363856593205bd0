"""GET a URL every INTERVAL seconds, each on a new connection, until a stop file appears or time runs out.

One line per request on stdout: "<epoch seconds> http ok|fail [<what failed>]". Used to watch a
Service while its pods move (an upgrade drains one node at a time).

  python3 http_probe.py --url http://10.96.0.20:8080/ --interval 0.5 --seconds 900 --stop /run/x.stop
"""

import argparse
import http.client
import os
import sys
import time
import urllib.parse


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--url', required=True)
    parser.add_argument('--interval', type=float, default=0.5)
    parser.add_argument('--seconds', type=float, default=600)
    parser.add_argument('--stop', required=True, help='stop when this file exists')
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    if url.scheme != 'http':
        parser.error('--url must be an http:// URL')
    deadline = time.time() + args.seconds
    while time.time() < deadline and not os.path.exists(args.stop):
        started = time.time()
        try:
            connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=2)
            try:
                connection.request('GET', url.path or '/')
                response = connection.getresponse()
                response.read()
            finally:
                connection.close()
            line = 'ok' if response.status == 200 else 'fail status %d' % response.status
        except Exception as exc:  # noqa: BLE001 - every failure is a result to report
            line = 'fail %s' % str(exc).replace('\n', ' ')
        print('%.3f http %s' % (started, line), flush=True)
        time.sleep(max(0.0, args.interval - (time.time() - started)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
