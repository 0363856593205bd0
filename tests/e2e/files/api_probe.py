"""Probe the Kubernetes API as its clients use it, until a stop file appears or time runs out.

Every INTERVAL seconds, each on a new TLS connection as kubectl makes them:
  readyz  GET /readyz?verbose (a failure names the checks that failed)
  write   create a ConfigMap, read it back, delete it (what a controller or kubectl apply does)
One line per probe on stdout: "<epoch seconds> <readyz|write> ok|fail [<what failed>] [took <seconds>s]",
the last part when the probe took --slow seconds or more (a write is three requests).
The server, CA and client certificate come from the kubeconfig (kubectl config view --raw).

  python3 api_probe.py --kubeconfig /etc/kubernetes/admin.conf --interval 0.2 --seconds 120 --stop /run/x.stop
"""

import argparse
import base64
import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse


def client_context(kubeconfig, workdir):
    raw = subprocess.run(['kubectl', 'config', 'view', '--raw', '--minify', '--output', 'json',
                          '--kubeconfig', kubeconfig], check=True, capture_output=True, text=True).stdout
    config = json.loads(raw)
    cluster = config['clusters'][0]['cluster']
    user = config['users'][0]['user']
    paths = {}
    for name, data in (('ca', cluster['certificate-authority-data']), ('cert', user['client-certificate-data']),
                       ('key', user['client-key-data'])):
        paths[name] = os.path.join(workdir, name + '.pem')
        with open(os.open(paths[name], os.O_WRONLY | os.O_CREAT, 0o600), 'wb') as handle:
            handle.write(base64.b64decode(data))
    context = ssl.create_default_context(cafile=paths['ca'])
    context.load_cert_chain(paths['cert'], paths['key'])
    return urllib.parse.urlsplit(cluster['server']), context


def request(server, context, method, path, body, timeout):
    connection = http.client.HTTPSConnection(server.hostname, server.port or 443, context=context, timeout=timeout)
    try:
        headers = {'Content-Type': 'application/json'} if body is not None else {}
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode('utf-8', 'replace')
    finally:
        connection.close()


def probe_write(server, context, number, timeout):
    name = 'duoshou-probe-%d-%d' % (os.getpid(), number)
    base = '/api/v1/namespaces/default/configmaps'
    steps = (('create', 'POST', base, {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': name},
                                       'data': {'n': str(number)}}, (201,)),
             ('get', 'GET', base + '/' + name, None, (200,)),
             ('delete', 'DELETE', base + '/' + name, None, (200, 202)))
    for step, method, path, body, wanted in steps:
        status = request(server, context, method, path, body, timeout)[0]
        if status not in wanted:
            return 'fail %s %s' % (step, status)
    return 'ok'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--kubeconfig', required=True)
    parser.add_argument('--interval', type=float, default=0.2)
    parser.add_argument('--seconds', type=float, default=120)
    parser.add_argument('--stop', default='')
    # kubectl itself sets no timeout: a longer one counts a request that waited and then
    # succeeded as a client would (slow, not failed).
    parser.add_argument('--timeout', type=float, default=2.0, help='seconds each request may take')
    parser.add_argument('--slow', type=float, default=1.0, help='report probes that took this long')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='duoshou-probe-') as workdir:
        server, context = client_context(args.kubeconfig, workdir)
        end = time.time() + args.seconds
        number = 0
        while time.time() < end and not (args.stop and os.path.exists(args.stop)):
            number += 1
            started = time.time()
            for kind in ('readyz', 'write'):
                probe_started = time.time()
                try:
                    if kind == 'readyz':
                        status, text = request(server, context, 'GET', '/readyz?verbose', None, args.timeout)
                        # The checks that failed ("[-]etcd failed: reason withheld") say why.
                        failing = [line.split()[0][3:] for line in text.splitlines() if line.startswith('[-]')]
                        result = 'ok' if status == 200 else 'fail status %s %s' % (status, ','.join(failing))
                    else:
                        result = probe_write(server, context, number, args.timeout)
                except (OSError, http.client.HTTPException) as exc:
                    result = 'fail %s' % type(exc).__name__
                took = time.time() - probe_started
                print('%.3f %s %s%s' % (time.time(), kind, result, ' took %.1fs' % took if took >= args.slow else ''),
                      flush=True)
            time.sleep(max(0.0, args.interval - (time.time() - started)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
