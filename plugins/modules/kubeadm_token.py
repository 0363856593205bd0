#!/usr/bin/python
# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
module: kubeadm_token
short_description: Make sure a kubeadm bootstrap token for joining nodes exists
version_added: 0.1.0
description:
  - Runs on a control plane. Reuses a bootstrap token that has the requested O(usages) and O(groups) and
    stays valid for at least O(min_remaining); otherwise creates a new one with C(kubeadm token create).
  - kubeadm generates the token secret, so it never appears on a command line.
  - Returns everything a node needs to join - token, API server endpoint, CA certificate hash and a
    ready-made worker join command. The endpoint is the server of O(kubeconfig), read with
    C(kubectl config view --output json).
  - The returned RV(token) is a secret. Ansible hides return values only when they match a
    C(no_log) option value, which would also blank them for the caller, so the module does not censor it;
    set C(no_log) on the task and pass the values on through variables.
author:
  - duoshou.kubeadm maintainers (@duoshou)
extends_documentation_fragment:
  - duoshou.kubeadm.kubeadm
  - duoshou.kubeadm.kubeadm.attributes
attributes:
  check_mode:
    details: In check mode a missing token is reported as C(changed) but not created.
options:
  kubectl_path:
    description:
      - Path of kubectl, which reads the API server endpoint from O(kubeconfig).
      - Default is C(kubectl) on E(PATH).
    type: path
  ca_cert_path:
    description: Cluster CA certificate whose public key hash joining nodes pin.
    type: path
    default: /etc/kubernetes/pki/ca.crt
  min_remaining:
    description:
      - An existing token is reused only if it stays valid at least this long (Go duration, V(1h), V(30m)).
      - Must be shorter than O(ttl), otherwise every run would create a token.
    type: str
    default: 1h
  ttl:
    description: Lifetime of a new token (Go duration). V(0) creates a token that never expires (not recommended).
    type: str
    default: 2h
  description:
    description: Human-readable description stored with a new token.
    type: str
    default: Created by duoshou.kubeadm.kubeadm_token
  usages:
    description: Usages a token must have to be reused, and that a new token gets.
    type: list
    elements: str
    default: [signing, authentication]
  groups:
    description: Extra groups a token must have to be reused, and that a new token gets.
    type: list
    elements: str
    default: ['system:bootstrappers:kubeadm:default-node-token']
requirements:
  - kubeadm and kubectl on the control plane it runs on.
notes:
  - C(kubeadm token list -o json) prints one JSON object per token, one after the other; tokens without
    C(expires) never expire and are preferred.
seealso:
  - module: duoshou.kubeadm.kubeadm_certificate_key
  - plugin: duoshou.kubeadm.kubeadm_join_command
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Get a join token valid for at least one more hour
  duoshou.kubeadm.kubeadm_token:
    min_remaining: 1h
    ttl: 2h
  register: kubeadm_join_token
  no_log: true  # the result holds the token secret
  run_once: true
  delegate_to: "{{ groups['kube_control_plane'][0] }}"

- name: Write the JoinConfiguration with the token (mode 0600)
  ansible.builtin.template:
    src: join-configuration.yaml.j2
    dest: /etc/kubernetes/kubeadm-join.yaml
    mode: "0600"
  no_log: true
  vars:
    join_token: "{{ kubeadm_join_token.token }}"
    join_endpoint: "{{ kubeadm_join_token.api_server_endpoint }}"
    join_ca_cert_hash: "{{ kubeadm_join_token.ca_cert_hash }}"
'''

RETURN = r'''
token:
  description: The bootstrap token (secret). V(null) in check mode when a token would be created.
  returned: always
  type: str
  sample: abcdef.0123456789abcdef
token_id:
  description: The public part of the token (before the dot), safe to log.
  returned: always
  type: str
  sample: abcdef
created:
  description: Whether a new token was (or in check mode would be) created.
  returned: always
  type: bool
expires:
  description:
    - Expiry of the token in UTC (RFC 3339). V(null) for a token that never expires.
    - For a new token it is computed from O(ttl) at creation time.
  returned: always
  type: str
  sample: '2026-11-22T04:05:10Z'
api_server_endpoint:
  description: C(host:port) of the API server of the current context of O(kubeconfig) (IPv6 in brackets).
  returned: always
  type: str
  sample: 192.168.0.100:16443
ca_cert_hash:
  description: C(sha256:) hash of the CA public key, for C(--discovery-token-ca-cert-hash) / C(caCertHashes).
  returned: always
  type: str
  sample: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
worker_join_command:
  description: One-line, shell-quoted C(kubeadm join) command for a worker (contains the token).
  returned: always
  type: str
  sample: kubeadm join 192.168.0.100:16443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:0123...
'''

import datetime
import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.duoshou.kubeadm.plugins.module_utils.common import (
    find_kubeadm,
    find_program,
    kubeadm_argument_spec,
)
from ansible_collections.duoshou.kubeadm.plugins.module_utils.join import (
    JoinInfoError,
    api_server_endpoint_from_kubeconfig,
    build_join_command,
)
from ansible_collections.duoshou.kubeadm.plugins.module_utils.pki import CertificateError, ca_cert_hash
from ansible_collections.duoshou.kubeadm.plugins.module_utils.tokens import (
    UTC,
    TokenError,
    format_duration,
    format_timestamp,
    parse_created_token,
    parse_token_durations,
    parse_token_list,
    select_token,
    token_expiry,
    token_id,
)


def utcnow():
    """The module's one clock: every decision in a run reads the time taken here once."""
    return datetime.datetime.now(UTC)


def build_module():
    return AnsibleModule(
        argument_spec=kubeadm_argument_spec(
            kubectl_path=dict(type='path'),
            ca_cert_path=dict(type='path', default='/etc/kubernetes/pki/ca.crt'),
            min_remaining=dict(type='str', default='1h'),
            ttl=dict(type='str', default='2h'),
            description=dict(type='str', default='Created by duoshou.kubeadm.kubeadm_token'),
            usages=dict(type='list', elements='str', default=['signing', 'authentication']),
            groups=dict(type='list', elements='str', default=['system:bootstrappers:kubeadm:default-node-token']),
        ),
        supports_check_mode=True,
    )


def _require_file(module, path, what, option):
    if not os.path.isfile(path):
        module.fail_json(msg='%s %s does not exist; is this host an initialized control plane? '
                             'Otherwise set %s.' % (what, path, option))


def _read(module, path, what, option):
    _require_file(module, path, what, option)
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except OSError as exc:
        module.fail_json(msg='cannot read %s %s: %s' % (what, path, exc))


def _api_server_endpoint(module, kubectl, kubeconfig):
    # Without --raw kubectl prints no credentials (DATA+OMITTED, REDACTED).
    cmd = [kubectl, 'config', 'view', '--kubeconfig', kubeconfig, '--output', 'json']
    rc, out, err = module.run_command(cmd)
    if rc != 0:
        error = 'kubectl config view failed (rc=%d): %s' % (rc, err.strip() or 'no error output')
    else:
        try:
            return api_server_endpoint_from_kubeconfig(json.loads(out))
        except JoinInfoError as exc:
            error = str(exc)
        except ValueError as exc:
            error = 'kubectl config view printed invalid JSON: %s' % exc
    module.fail_json(msg='cannot read the API server endpoint from %s: %s' % (kubeconfig, error), rc=rc, cmd=cmd)


def _run(module, cmd, what):
    rc, out, err = module.run_command(cmd)
    if rc != 0:
        # stdout would hold token secrets: only stderr goes into the error.
        module.fail_json(msg='%s failed: %s' % (what, err.strip() or 'no error output'), rc=rc, stderr=err, cmd=cmd)
    return rc, out, err


def main():
    module = build_module()
    params = module.params
    now = utcnow()
    try:
        min_remaining, ttl = parse_token_durations(params['min_remaining'], params['ttl'])
    except TokenError as exc:
        module.fail_json(msg=str(exc))

    kubeconfig = params['kubeconfig']
    _require_file(module, kubeconfig, 'kubeconfig', 'kubeconfig')
    try:
        cert_hash = ca_cert_hash(_read(module, params['ca_cert_path'], 'CA certificate', 'ca_cert_path'))
    except CertificateError as exc:
        module.fail_json(msg='%s is not a usable CA certificate: %s' % (params['ca_cert_path'], exc))

    kubeadm = find_kubeadm(module)
    endpoint = _api_server_endpoint(module, find_program(module, 'kubectl'), kubeconfig)

    list_cmd = [kubeadm, 'token', 'list', '-o', 'json', '--kubeconfig', kubeconfig]
    rc, out, err = _run(module, list_cmd, 'kubeadm token list')
    try:
        tokens = parse_token_list(out)
        chosen = select_token(tokens, params['usages'], params['groups'], min_remaining, now)
    except TokenError as exc:
        module.fail_json(msg='cannot understand the output of kubeadm token list: %s' % exc, rc=rc, cmd=list_cmd)

    result = dict(
        changed=False,
        created=False,
        token=None,
        token_id=None,
        expires=None,
        api_server_endpoint=endpoint,
        ca_cert_hash=cert_hash,
        worker_join_command=None,
    )
    if chosen is not None:
        token = chosen['token']
        expiry = token_expiry(chosen)
        result['expires'] = format_timestamp(expiry) if expiry is not None else None
    else:
        result.update(changed=True, created=True)
        if module.check_mode:
            result['msg'] = 'no token valid for %s with usages %s and groups %s: one would be created' % (
                params['min_remaining'], ','.join(params['usages']), ','.join(params['groups']))
            module.exit_json(**result)
        create_cmd = [kubeadm, 'token', 'create', '--kubeconfig', kubeconfig,
                      '--ttl', format_duration(ttl),
                      '--description', params['description'],
                      '--usages', ','.join(params['usages']),
                      '--groups', ','.join(params['groups'])]
        rc, out, err = _run(module, create_cmd, 'kubeadm token create')
        try:
            token = parse_created_token(out)
        except TokenError as exc:
            module.fail_json(msg=str(exc), rc=rc, stderr=err, cmd=create_cmd)
        if ttl:
            result['expires'] = format_timestamp(now + datetime.timedelta(seconds=ttl))

    result['token'] = token
    result['token_id'] = token_id(token)
    result['worker_join_command'] = build_join_command(
        dict(api_server_endpoint=endpoint, token=token, ca_cert_hashes=[cert_hash]))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
