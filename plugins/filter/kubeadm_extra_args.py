# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r'''
name: kubeadm_extra_args
short_description: Flags in the shape a kubeadm configuration API version wants
version_added: 0.1.0
description:
  - Turns C({flag => value}) into the value of C(extraArgs) or C(kubeletExtraArgs) for a kubeadm configuration file.
  - C(kubeadm.k8s.io/v1beta3) takes a map of strings; C(kubeadm.k8s.io/v1beta4) (Kubernetes 1.31 and later) takes a
    list of C({name, value}), sorted here by name so the rendered file does not change between runs.
author:
  - duoshou.kubeadm contributors
options:
  _input:
    description: Flags without leading dashes, mapped to their values.
    type: dict
    required: true
  api_version:
    description: The kubeadm configuration API version, for example C(kubeadm.k8s.io/v1beta4).
    type: str
    required: true
'''

EXAMPLES = r'''
- name: Render apiServer.extraArgs
  ansible.builtin.debug:
    msg: "{{ {'audit-log-maxage': 30} | duoshou.kubeadm.kubeadm_extra_args('kubeadm.k8s.io/v1beta4') }}"
  # [{"name": "audit-log-maxage", "value": "30"}]
'''

RETURN = r'''
_value:
  description: A map of strings (v1beta3) or a list of C({name, value}) (v1beta4).
  type: raw
'''

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

_MAP_VERSIONS = ('kubeadm.k8s.io/v1beta3',)
_LIST_VERSIONS = ('kubeadm.k8s.io/v1beta4',)


def kubeadm_extra_args(flags, api_version):
    if not isinstance(flags, dict):
        raise AnsibleFilterError('kubeadm_extra_args: expected a dict of flag: value, got %s' % type(flags).__name__)
    as_text = {}
    for name, value in flags.items():
        if not isinstance(name, str) or not name or name.startswith('-'):
            raise AnsibleFilterError('kubeadm_extra_args: flag names are written without leading dashes, '
                                     'got %r' % (name,))
        if isinstance(value, bool):
            value = 'true' if value else 'false'
        as_text[to_text(name)] = to_text(value)
    if api_version in _MAP_VERSIONS:
        return as_text
    if api_version in _LIST_VERSIONS:
        return [{'name': name, 'value': as_text[name]} for name in sorted(as_text)]
    raise AnsibleFilterError('kubeadm_extra_args: unsupported kubeadm API version %r (known: %s)'
                             % (api_version, ', '.join(_MAP_VERSIONS + _LIST_VERSIONS)))


class FilterModule:
    def filters(self):
        return {'kubeadm_extra_args': kubeadm_extra_args}
