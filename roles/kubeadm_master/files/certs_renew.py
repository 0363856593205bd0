# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Renew this control plane's kubeadm certificates when one is due, then restart its static pods.

Run by the renewal service its timer starts (role kubeadm_master, kubeadm_master_certificates_renew_timer;
docs/operations.md, "Certificates"). The same steps as playbooks/certificates.yml
-e kubeadm_master_certificates_renew=true, for one node, without Ansible:

1. nothing to do unless a kubeadm-managed certificate has fewer than --days days left (the rule of
   the collection's plugin_utils/certificates.py, installed next to this file);
2. refuse unless the local kube-apiserver is ready (a broken control plane is not restarted);
3. kubeadm certs renew all;
4. the static pods stopped (manifests moved to --parked) and started again, as kubeadm documents;
5. wait until the local kube-apiserver is ready; copy admin.conf over the ~/.kube/config of each
   --kubeconfig-user (the copies kubeadm_master gave them).

Manifests left in --parked by a run that died half-way are put back first. Exit status 0: nothing
due, or renewed and healthy; 1: refused or failed (the journal says why).
"""

import argparse
import datetime
import http.client
import os
import pwd
import shutil
import ssl
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from certificates import certificate_report  # pylint: disable=wrong-import-position


def log(message):
    print(message, flush=True)


def due_certificates(rows):
    """Names of the kubeadm-managed certificates (not CAs) that are expired or inside the warning window."""
    return [row['name'] for row in rows if row['kind'] == 'certificate' and row['status'] in ('renew', 'expired')]


def fewest_days_left(rows):
    days = [row['days_left'] for row in rows if row['kind'] == 'certificate' and row['days_left'] is not None
            and row['status'] != 'external']
    return min(days) if days else None


def readyz(url, timeout=3.0):
    # /readyz is readable without credentials; the serving certificate names the node, not 127.0.0.1.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    address = urllib.parse.urlsplit(url)
    connection = http.client.HTTPSConnection(address.hostname, address.port or 443, context=context, timeout=timeout)
    try:
        connection.request('GET', address.path or '/')
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def wait_for(what, check, seconds, interval=2.0):
    log('waiting up to %d s for %s' % (seconds, what))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return False


def running_static_pods(crictl_ps, names):
    result = subprocess.run(crictl_ps + ['--name', '^(%s)$' % '|'.join(names)],
                            capture_output=True, text=True, check=False)
    return result.returncode != 0 or bool(result.stdout.strip())


def unpark(args):
    """Put back every parked manifest, etcd before the kube-apiserver that needs it."""
    for name in reversed(args.static_pod):
        parked = os.path.join(args.parked, name + '.yaml')
        if os.path.exists(parked):
            shutil.move(parked, os.path.join(args.manifests, name + '.yaml'))
            log('put back %s.yaml' % name)


def restart_static_pods(args):
    os.makedirs(args.parked, mode=0o700, exist_ok=True)
    try:
        for name in args.static_pod:
            manifest = os.path.join(args.manifests, name + '.yaml')
            if os.path.exists(manifest):
                shutil.move(manifest, os.path.join(args.parked, name + '.yaml'))
        crictl_ps = ['crictl', '--runtime-endpoint', args.cri_socket] + args.crictl_ps
        if not wait_for('the kubelet to stop %s' % ', '.join(args.static_pod),
                        lambda: not running_static_pods(crictl_ps, args.static_pod), args.timeout):
            log('the static pods did not stop within %d s; putting the manifests back anyway' % args.timeout)
    finally:
        unpark(args)


def home_of(user):
    try:
        return pwd.getpwnam(user).pw_dir
    except KeyError:
        return None


def copy_admin_conf(args):
    for user in args.kubeconfig_user:
        home = home_of(user)
        path = os.path.join(home, '.kube', 'config') if home else None
        if not path or not os.path.exists(path):
            continue
        # Contents only: the user's file keeps its owner and mode 0600.
        with open(args.admin_conf, 'rb') as source, open(path, 'r+b') as target:
            target.truncate(0)
            target.write(source.read())
        log('replaced %s with the renewed admin.conf' % path)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--days', type=int, required=True, help='renew when a certificate has fewer days left')
    parser.add_argument('--admin-conf', default='/etc/kubernetes/admin.conf')
    parser.add_argument('--manifests', default='/etc/kubernetes/manifests')
    parser.add_argument('--parked', required=True, help='where the manifests wait while the pods stop')
    parser.add_argument('--static-pod', action='append', required=True, help='in the order they stop')
    parser.add_argument('--cri-socket', required=True)
    # The role's cluster_crictl_ps_kube_system, one argument each (--crictl-ps=--quiet).
    parser.add_argument('--crictl-ps', action='append', required=True,
                        help='crictl arguments after --runtime-endpoint that list running kube-system containers')
    parser.add_argument('--readyz-url', required=True)
    parser.add_argument('--kubeconfig-user', action='append', default=[],
                        help='whose ~/.kube/config is a copy of admin.conf to replace')
    parser.add_argument('--timeout', type=int, default=300, help='seconds for each wait')
    return parser.parse_args(argv)


def main(argv=None, now=None):
    args = parse_args(argv)
    unpark(args)
    if not os.path.exists(args.admin_conf):
        log('%s does not exist: not a control plane (or reset); nothing to renew' % args.admin_conf)
        return 0
    output = subprocess.run(['kubeadm', 'certs', 'check-expiration', '--output', 'json'],
                            capture_output=True, text=True, check=True).stdout
    rows = certificate_report(output, now or datetime.datetime.now(datetime.timezone.utc), warn_days=args.days)
    due = due_certificates(rows)
    if not due:
        log('nothing to renew: every certificate has %d days or more left (fewest: %s)'
            % (args.days, fewest_days_left(rows)))
        return 0
    log('due (fewer than %d days left): %s' % (args.days, ', '.join(due)))
    if not readyz(args.readyz_url):
        log('refusing to renew: the local kube-apiserver is not ready (%s). Fix the control plane first, then '
            'start this service again or run playbooks/certificates.yml -e kubeadm_master_certificates_renew=true.'
            % args.readyz_url)
        return 1
    subprocess.run(['kubeadm', 'certs', 'renew', 'all'], check=True)
    restart_static_pods(args)
    if not wait_for('the local kube-apiserver to be ready (%s)' % args.readyz_url,
                    lambda: readyz(args.readyz_url), args.timeout):
        log('the kube-apiserver is not ready %d s after the renewal: see crictl ps -a and journalctl -u kubelet'
            % args.timeout)
        return 1
    copy_admin_conf(args)
    log('renewed %s; the control plane is ready again. Refresh kubeconfigs copied elsewhere (the controller: '
        'rerun playbooks/certificates.yml)' % ', '.join(due))
    return 0


if __name__ == '__main__':
    sys.exit(main())
