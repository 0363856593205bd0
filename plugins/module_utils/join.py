# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parse and build ``kubeadm join`` commands; parse ``upload-certs`` output.

Shared by the kubeadm_join_info / kubeadm_join_command filters and the
kubeadm_token / kubeadm_certificate_key modules.
"""

import re
import shlex

# kubeadm wraps its join commands with " \" + newline + tab (older releases:
# four spaces); copies pasted from Windows terminals add CR.
_CONTINUATION_RE = re.compile(r'[ \t]*\\[ \t]*\n[ \t]*')
_JOIN_RE = re.compile(r'(?:^|\s)(kubeadm\s+join\s+.*)$')
_CERT_KEY_RE = re.compile(r'^[0-9a-f]{64}$')
_HEX64_RE = re.compile(r'[0-9a-fA-F]{64}')

_VALUE_FLAGS = (
    '--token',
    '--discovery-token-ca-cert-hash',
    '--certificate-key',
    '--cri-socket',
    '--node-name',
    '--apiserver-advertise-address',
    '--apiserver-bind-port',
    '--config',
    '--discovery-file',
    '--discovery-token',
    '--tls-bootstrap-token',
)


class JoinInfoError(ValueError):
    """Raised when kubeadm output or a join-info dict cannot be used."""


def _to_text(data):
    if isinstance(data, bytes):
        return data.decode('utf-8', 'replace')
    if not isinstance(data, str):
        raise JoinInfoError('expected kubeadm output as text, got %s' % type(data).__name__)
    return data


def normalize_output(text):
    """Unify line ends and fold backslash continuations into single lines."""
    text = _to_text(text).replace('\r\n', '\n').replace('\r', '\n')
    return _CONTINUATION_RE.sub(' ', text)


def _split_args(command):
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def _parse_command(command):
    """Return the fields of one ``kubeadm join ...`` command, or None if it is not one."""
    args = _split_args(command)
    if len(args) < 3 or args[0] != 'kubeadm' or args[1] != 'join':
        return None
    parsed = {
        'api_server_endpoint': None,
        'token': None,
        'ca_cert_hashes': [],
        'certificate_key': None,
        'control_plane': False,
    }
    i = 2
    while i < len(args):
        arg = args[i]
        flag, sep, inline = arg.partition('=')
        if arg.startswith('--') and flag in _VALUE_FLAGS:
            if sep:
                value = inline
            elif i + 1 < len(args):
                i += 1
                value = args[i]
            else:
                value = None
            if flag == '--token':
                parsed['token'] = value
            elif flag == '--discovery-token-ca-cert-hash' and value:
                parsed['ca_cert_hashes'].append(value)
            elif flag == '--certificate-key':
                parsed['certificate_key'] = value
        elif flag == '--control-plane':
            parsed['control_plane'] = True
        elif not arg.startswith('-') and parsed['api_server_endpoint'] is None:
            parsed['api_server_endpoint'] = arg
        i += 1
    if not parsed['token'] or not parsed['api_server_endpoint']:
        # Prose such as "use 'kubeadm join' on each node" is not a command.
        return None
    return parsed


def _strip_control_plane(command):
    args = _split_args(command)
    kept = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == '--control-plane':
            continue
        if arg == '--certificate-key':
            skip = True
            continue
        if arg.startswith('--certificate-key='):
            continue
        kept.append(arg)
    return ' '.join(kept)


def parse_join_info(text):
    """Extract join data from ``kubeadm init`` or ``kubeadm token create --print-join-command`` output.

    Returns a dict with ``api_server_endpoint``, ``token``, ``ca_cert_hashes``,
    ``certificate_key``, ``control_plane_join_command`` and ``worker_join_command``.
    When several commands of one kind are present, the last one wins (the
    newest, for logs that hold several runs).
    """
    worker = None
    control_plane = None
    for line in normalize_output(text).split('\n'):
        match = _JOIN_RE.search(line)
        if not match:
            continue
        command = ' '.join(match.group(1).split())
        parsed = _parse_command(command)
        if parsed is None:
            continue
        if parsed['control_plane']:
            control_plane = (command, parsed)
        else:
            worker = (command, parsed)
    if worker is None and control_plane is None:
        raise JoinInfoError('no "kubeadm join ... --token ..." command found in the kubeadm output')

    primary = worker[1] if worker is not None else control_plane[1]
    # "token create --print-join-command --certificate-key" prints only the
    # control-plane command; the worker command is the same minus its flags.
    worker_command = worker[0] if worker is not None else _strip_control_plane(control_plane[0])
    return {
        'api_server_endpoint': primary['api_server_endpoint'],
        'token': primary['token'],
        'ca_cert_hashes': list(primary['ca_cert_hashes']),
        'certificate_key': control_plane[1]['certificate_key'] if control_plane is not None else None,
        'control_plane_join_command': control_plane[0] if control_plane is not None else None,
        'worker_join_command': worker_command,
    }


def build_join_command(info, control_plane=False, certificate_key=None, cri_socket=None,
                       node_name=None, apiserver_advertise_address=None):
    """Build a one-line, shell-quoted ``kubeadm join`` command from a join-info dict."""
    if not isinstance(info, dict):
        raise JoinInfoError('expected a dict with api_server_endpoint, token and ca_cert_hashes, got %s'
                            % type(info).__name__)
    endpoint = info.get('api_server_endpoint')
    token = info.get('token')
    hashes = info.get('ca_cert_hashes')
    if hashes is None and info.get('ca_cert_hash'):
        hashes = [info['ca_cert_hash']]
    if isinstance(hashes, str):
        hashes = [hashes]
    if not endpoint:
        raise JoinInfoError('api_server_endpoint is missing or empty')
    if not token:
        raise JoinInfoError('token is missing or empty')
    if not hashes:
        raise JoinInfoError('ca_cert_hashes is missing or empty: joining without CA pinning is not supported')
    if certificate_key and not control_plane:
        raise JoinInfoError('certificate_key was given but control_plane is false')

    args = ['kubeadm', 'join', endpoint, '--token', token]
    for value in hashes:
        args.extend(['--discovery-token-ca-cert-hash', value])
    if control_plane:
        key = certificate_key or info.get('certificate_key')
        if not key:
            raise JoinInfoError(
                'control_plane=true needs a certificate key: pass certificate_key= or a dict with certificate_key '
                '(from "kubeadm init --upload-certs" or "kubeadm init phase upload-certs --upload-certs")'
            )
        args.extend(['--control-plane', '--certificate-key', key])
        if apiserver_advertise_address:
            args.extend(['--apiserver-advertise-address', apiserver_advertise_address])
    elif apiserver_advertise_address:
        raise JoinInfoError('apiserver_advertise_address only applies to control-plane joins (control_plane=true)')
    if cri_socket:
        args.extend(['--cri-socket', cri_socket])
    if node_name:
        args.extend(['--node-name', node_name])
    return ' '.join(shlex.quote(str(arg)) for arg in args)


def parse_certificate_key(text):
    """Return the key printed by ``kubeadm init phase upload-certs --upload-certs``."""
    lines = [line.strip() for line in normalize_output(text).split('\n')]
    for index, line in enumerate(lines):
        if 'Using certificate key:' not in line:
            continue
        remainder = line.split('Using certificate key:', 1)[1].strip()
        candidates = [remainder] if remainder else []
        candidates.extend(candidate for candidate in lines[index + 1:] if candidate)
        if candidates and _CERT_KEY_RE.match(candidates[0]):
            return candidates[0]
        raise JoinInfoError('"Using certificate key:" is not followed by a 64-character lowercase hex key')
    raise JoinInfoError('no "[upload-certs] Using certificate key:" line in the kubeadm output')


def redact_hex_keys(text):
    """Replace 64-hex-digit runs (certificate keys, hashes) for error messages."""
    return _HEX64_RE.sub('<redacted>', _to_text(text))


def api_server_endpoint_from_kubeconfig(config):
    """Return ``host:port`` of the current context's cluster in a kubeconfig dict (``kubectl config view -o json``).

    Without a current context (or one that names no cluster) the first cluster counts.
    """
    if not isinstance(config, dict):
        raise JoinInfoError('the kubeconfig is not a mapping')
    clusters = config.get('clusters') or []
    cluster_name = None
    current = config.get('current-context')
    for context in config.get('contexts') or []:
        if isinstance(context, dict) and context.get('name') == current:
            cluster_name = (context.get('context') or {}).get('cluster')
    chosen = None
    for cluster in clusters:
        if isinstance(cluster, dict) and (cluster_name is None or cluster.get('name') == cluster_name):
            chosen = cluster
            break
    server = ((chosen or {}).get('cluster') or {}).get('server')
    if not server:
        raise JoinInfoError('the kubeconfig has no clusters[].cluster.server for its current context')
    match = re.match(r'^(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?([^/]+)', str(server))
    if not match:
        raise JoinInfoError('cannot read host:port from server %r' % server)
    endpoint = match.group(1)
    if not re.search(r':\d+$', endpoint):
        # An https URL without a port means 443.
        endpoint += ':443'
    return endpoint
