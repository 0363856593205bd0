# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters cluster_problems (inventory) and cluster_preflight_problems (one node)."""

from ansible.errors import AnsibleFilterError
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.inventory import inventory_problems
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.preflight import node_problems


def _plain(data, what):
    if not isinstance(data, dict):
        raise AnsibleFilterError('%s expects a dict, got %s' % (what, type(data).__name__))
    return data


def cluster_problems(data):
    """Every problem of the inventory described by ``data``."""
    return inventory_problems(_plain(data, 'cluster_problems'))


def cluster_preflight_problems(data):
    """Problems and warnings of one node from its facts and probes."""
    return node_problems(_plain(data, 'cluster_preflight_problems'))


class FilterModule:
    """duoshou.kubeadm validation filters."""

    def filters(self):
        return {
            'cluster_problems': cluster_problems,
            'cluster_preflight_problems': cluster_preflight_problems,
        }
