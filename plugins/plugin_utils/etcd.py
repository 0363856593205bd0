# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""etcd backups of a kubeadm cluster: the member the static pod runs, snapshot status, snapshot names, retention.

Controller-side helpers of the etcd_* filters. Nothing here reads the clock: the time of a backup is an
input (the playbook takes it once on the controller), so names and retention are repeatable in tests.
"""

import datetime
import json
import os
import re

import yaml

UTC = datetime.timezone.utc

# The cluster endpoint in file names: the same replacement cluster_kubeconfig_fetch_path makes.
_UNSAFE_RE = re.compile(r'[^A-Za-z0-9.-]+')
_STAMP_FORMAT = '%Y%m%dT%H%M%SZ'
_STAMP_RE = r'\d{8}T\d{6}Z'
# A listen URL on every address of the host (IPv4 or IPv6).
_WILDCARD_RE = re.compile(r'^(\w+://)(0\.0\.0\.0|\[::\])(?=[:/]|$)')


class EtcdError(ValueError):
    pass


def endpoint_slug(endpoint):
    """``192.168.0.100:16443`` -> ``192.168.0.100_16443`` (``[fd00::1]:6443`` -> ``_fd00_1_6443``)."""
    text = str(endpoint or '').strip()
    if not text:
        raise EtcdError('the cluster endpoint is empty')
    return _UNSAFE_RE.sub('_', text)


def _utc(value):
    """An aware UTC datetime from a datetime (naive means UTC, as now(utc=true) gives it) or RFC 3339 text."""
    if isinstance(value, datetime.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        text = str(value).strip()
        if text.endswith(('Z', 'z')):
            text = text[:-1] + '+00:00'
        try:
            stamp = datetime.datetime.fromisoformat(text)
        except ValueError as exc:
            raise EtcdError('time %r is not an RFC 3339 time such as 2026-12-02T05:31:37Z' % (value,)) from exc
        if stamp.tzinfo is None:
            raise EtcdError('time %r has no time zone: write it in UTC with a Z' % (value,))
    return stamp.astimezone(UTC)


def backup_name(endpoint, when):
    """File name of a snapshot of the cluster at ``endpoint`` taken at ``when``: ``etcd-<endpoint>-<UTC>.db``.

    The UTC time in the name (``20261202T053137Z``) sorts like the time itself, so retention needs no
    file dates.
    """
    return 'etcd-%s-%s.db' % (endpoint_slug(endpoint), _utc(when).strftime(_STAMP_FORMAT))


def _path_of(entry):
    if isinstance(entry, dict):
        if 'path' not in entry:
            raise EtcdError('expected paths or find results with a path key, got %r' % (sorted(entry),))
        return entry['path']
    return entry


def backups_to_prune(files, endpoint, keep):
    """The snapshots of ``endpoint`` among ``files`` beyond the newest ``keep``, oldest first.

    ``files`` are paths or ``ansible.builtin.find`` results. Only names :func:`backup_name` makes for this
    endpoint count: other files in the directory, and other clusters' snapshots, are never returned.
    """
    try:
        keep = int(keep)
    except (TypeError, ValueError) as exc:
        raise EtcdError('keep must be a whole number, got %r' % (keep,)) from exc
    if keep < 1:
        raise EtcdError('keep must be at least 1, got %d: the snapshot just taken would be deleted' % keep)
    pattern = re.compile(r'^etcd-%s-(%s)\.db$' % (re.escape(endpoint_slug(endpoint)), _STAMP_RE))
    ours = []
    for entry in files or []:
        path = _path_of(entry)
        match = pattern.match(os.path.basename(str(path)))
        if match:
            ours.append((match.group(1), str(path), entry))
    ours.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [entry for _stamp, _path, entry in reversed(ours[keep:])]


def snapshot_status(output):
    """What ``etcdutl snapshot status --write-out json`` printed, as hash, revision, total_keys, total_size, version.

    Lines before the JSON object (warnings of some releases) are skipped. ``version`` (the storage version,
    etcd 3.6 and later) is None when the release does not print it.
    """
    if isinstance(output, dict):
        candidates = [output]
    else:
        candidates = []
        for line in str(output or '').splitlines():
            line = line.strip()
            if line.startswith('{'):
                try:
                    candidates.append(json.loads(line))
                except ValueError:
                    continue
    for status in reversed(candidates):
        if isinstance(status, dict) and 'revision' in status:
            break
    else:
        raise EtcdError('no JSON object with a revision in the output of etcdutl snapshot status --write-out json: %r'
                        % (str(output)[:200],))
    result = {}
    for key, name in (('hash', 'hash'), ('revision', 'revision'), ('totalKey', 'total_keys'),
                      ('totalSize', 'total_size')):
        value = status.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise EtcdError('etcdutl snapshot status: %s is %r, expected a whole number' % (key, value))
        result[name] = value
    if result['revision'] < 1 or result['total_size'] < 1:
        raise EtcdError('etcdutl snapshot status: revision %d, size %d bytes: not a snapshot of a running etcd'
                        % (result['revision'], result['total_size']))
    result['version'] = status.get('version') or None
    return result


def _flags(arguments):
    """``--key=value`` and ``--key value`` arguments as a dict (the last one of a key wins)."""
    flags = {}
    arguments = [str(argument) for argument in arguments or []]
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        if argument.startswith('--'):
            key, sep, value = argument[2:].partition('=')
            if not sep and index + 1 < len(arguments) and not arguments[index + 1].startswith('--'):
                index += 1
                value = arguments[index]
            flags[key] = value
        index += 1
    return flags


def _loopback(url):
    """etcdctl in the pod talks to its own member: a wildcard listen address becomes the loopback one."""
    match = _WILDCARD_RE.match(url)
    if not match:
        return url
    return match.group(1) + ('[::1]' if match.group(2).startswith('[') else '127.0.0.1') + url[match.end(2):]


def etcd_member(manifest):
    """The member that kubeadm's etcd static pod runs, read from its manifest (text or parsed).

    Returns name, peer_urls, initial_cluster (``name=peer URL`` for a one-member restore), client_url
    (the first listen-client URL, for etcdctl inside the pod), metrics_url (plain-HTTP /health, or None),
    data_dir, data_dir_host (the hostPath mounted there, or None), trusted_ca_file and image.
    """
    if isinstance(manifest, (str, bytes)):
        try:
            manifest = yaml.safe_load(manifest)
        except yaml.YAMLError as exc:
            raise EtcdError('the etcd manifest is not YAML: %s' % exc) from exc
    if not isinstance(manifest, dict) or manifest.get('kind') != 'Pod':
        raise EtcdError('expected the etcd static pod manifest (kind Pod)')
    spec = manifest.get('spec') or {}
    containers = [c for c in spec.get('containers') or [] if isinstance(c, dict)]
    container = next((c for c in containers if c.get('name') == 'etcd'), None)
    if container is None:
        raise EtcdError('the manifest has no container named etcd')
    flags = _flags(list(container.get('command') or []) + list(container.get('args') or []))

    def required(key):
        value = flags.get(key, '').strip()
        if not value:
            raise EtcdError('the etcd container has no --%s: not a manifest kubeadm wrote' % key)
        return value

    name = required('name')
    peer_urls = [url.strip() for url in required('initial-advertise-peer-urls').split(',') if url.strip()]
    data_dir = required('data-dir').rstrip('/') or '/'
    client_url = _loopback(required('listen-client-urls').split(',')[0].strip())
    metrics = [url.strip() for url in flags.get('listen-metrics-urls', '').split(',') if url.strip()]
    mounts = {m.get('name'): m.get('mountPath', '').rstrip('/') for m in container.get('volumeMounts') or []
              if isinstance(m, dict)}
    data_dir_host = None
    for volume in spec.get('volumes') or []:
        if isinstance(volume, dict) and mounts.get(volume.get('name')) == data_dir and volume.get('hostPath'):
            data_dir_host = (volume['hostPath'].get('path') or '').rstrip('/') or None
    return {
        'name': name,
        'peer_urls': peer_urls,
        'initial_cluster': ','.join('%s=%s' % (name, url) for url in peer_urls),
        'client_url': client_url,
        'metrics_url': _loopback(metrics[0]) if metrics else None,
        'data_dir': data_dir,
        'data_dir_host': data_dir_host,
        'trusted_ca_file': required('trusted-ca-file'),
        'image': container.get('image'),
    }


# Membership: what etcdctl prints about the members, and the quorum arithmetic of removing one.

_HEX_ID_RE = re.compile(r'^[0-9a-fA-F]{1,16}$')


def _json_after_noise(output, opening):
    """The JSON value of ``output`` (text or parsed): the first line that starts with ``opening`` and all after it.

    etcdctl may print warnings before its JSON (deprecations, a slow dial); they are skipped.
    """
    if not isinstance(output, (str, bytes)):
        return output
    text = output.decode() if isinstance(output, bytes) else output
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.lstrip().startswith(opening):
            try:
                return json.loads('\n'.join(lines[index:]))
            except ValueError:
                continue
    raise EtcdError('no JSON %s in the etcdctl output %r' % ('object' if opening == '{' else 'list', text[:200]))


def member_id(value):
    """A member ID as ``etcdctl member remove`` takes it: hex, lower case, without leading zeros.

    ``--write-out json`` prints IDs as decimal numbers (uint64, beyond JavaScript's safe integers: parsed in
    Python they stay exact); ``--hex`` prints them as hex strings.
    """
    if isinstance(value, bool):
        raise EtcdError('member ID %r is not a number' % (value,))
    if isinstance(value, int):
        if not 0 < value < 2 ** 64:
            raise EtcdError('member ID %d is not a uint64 above 0' % value)
        return '%x' % value
    text = str(value or '').strip()
    if not _HEX_ID_RE.match(text) or int(text, 16) == 0:
        raise EtcdError('member ID %r is neither a number nor hex' % (value,))
    return '%x' % int(text, 16)


def member_list(output):
    """The members ``etcdctl member list --write-out json`` printed, in its order.

    Each: id (hex, for ``member remove``), name (empty for a member added but never started), peer_urls,
    client_urls (empty until it started) and learner.
    """
    listing = _json_after_noise(output, '{')
    if not isinstance(listing, dict) or not isinstance(listing.get('members'), list):
        raise EtcdError('expected the output of etcdctl member list --write-out json (an object with members)')
    members = []
    for entry in listing['members']:
        if not isinstance(entry, dict) or 'ID' not in entry:
            raise EtcdError('a member without an ID in etcdctl member list: %r' % (entry,))
        members.append({
            'id': member_id(entry['ID']),
            'name': str(entry.get('name') or ''),
            'peer_urls': [str(url) for url in entry.get('peerURLs') or []],
            'client_urls': [str(url) for url in entry.get('clientURLs') or []],
            'learner': bool(entry.get('isLearner', False)),
        })
    if not members:
        raise EtcdError('etcdctl member list printed no member')
    return members


def endpoint_health(output):
    """``etcdctl endpoint health --cluster --write-out json``: client URL -> error text ('' when healthy).

    etcdctl exits 1 when one endpoint is unhealthy but still prints every endpoint first.
    """
    entries = _json_after_noise(output, '[')
    if not isinstance(entries, list):
        raise EtcdError('expected the output of etcdctl endpoint health --write-out json (a list)')
    health = {}
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get('endpoint'):
            raise EtcdError('an endpoint health entry without an endpoint: %r' % (entry,))
        health[str(entry['endpoint'])] = '' if entry.get('health') is True else str(entry.get('error') or 'unhealthy')
    return health


def url_host(url):
    """``https://192.168.0.11:2380`` -> ``192.168.0.11`` (IPv6 without its brackets)."""
    host = re.sub(r'^\w+://', '', str(url)).split('/')[0]
    if host.startswith('['):
        return host[1:].split(']')[0]
    return host.rsplit(':', 1)[0] if ':' in host else host


def find_member(members, name, addresses=()):
    """The member of node ``name``: by member name (kubeadm names it after the node), else by a peer URL on
    one of the node's ``addresses`` (a member added but never started has no name). None when there is none.
    """
    for member in members:
        if member['name'] and member['name'] == name:
            return member
    hosts = {str(address) for address in addresses or () if address}
    for member in members:
        if hosts & {url_host(url) for url in member['peer_urls']}:
            return member
    return None


def quorum(voters):
    """Members that must agree for etcd to commit anything: a majority of the voting members."""
    return voters // 2 + 1


def removal_quorum(members, health, member):
    """What removing ``member`` from ``members`` does to quorum, given ``health`` (endpoint_health's result).

    Learners do not vote. Returns voters, healthy, voters_after, healthy_after, quorum_after, unhealthy (names
    with their error) and the refusal ('' when the removal is safe): etcd commits the removal only with a
    quorum of the members it has now, and the members left must still have one.
    """
    def label(entry):
        return entry['name'] or ('unstarted member ' + entry['id'])

    def problem(entry):
        if not entry['client_urls']:
            return 'never started'
        errors = [health[url] for url in entry['client_urls'] if url in health]
        if not errors:
            return 'no answer (not in endpoint health)'
        return '' if '' in errors else errors[0]

    voters = [entry for entry in members if not entry['learner']]
    unhealthy = ['%s (%s)' % (label(entry), problem(entry)) for entry in voters if problem(entry)]
    healthy = len(voters) - len(unhealthy)
    votes = not member['learner']
    voters_after = len(voters) - (1 if votes else 0)
    healthy_after = healthy - (1 if votes and not problem(member) else 0)
    result = {
        'voters': len(voters), 'healthy': healthy, 'voters_after': voters_after, 'healthy_after': healthy_after,
        'quorum_after': quorum(voters_after) if voters_after else 0, 'unhealthy': unhealthy, 'refusal': '',
    }
    if healthy < quorum(len(voters)):
        result['refusal'] = ('etcd has lost its quorum: %d of %d members healthy, %d needed (%s), so the removal '
                             'cannot be committed' % (healthy, len(voters), quorum(len(voters)), ', '.join(unhealthy)))
    elif voters_after and healthy_after < quorum(voters_after):
        result['refusal'] = ('removing %s would leave %d healthy of %d etcd members, below their quorum of %d (%s)'
                             % (label(member), healthy_after, voters_after, quorum(voters_after), ', '.join(unhealthy)))
    return result
