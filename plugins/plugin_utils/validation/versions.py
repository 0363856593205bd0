# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kubernetes release an inventory asks for (cluster_kubernetes_version)."""

import re

from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.validation.base import DASH, is_str

_VERSION_RE = re.compile(r'^(\d+)\.(\d+)\.(\d+)$')


def parse_version(value):
    """Return (major, minor, patch) for '1.34.4', else None."""
    match = _VERSION_RE.match(value) if is_str(value) else None
    if not match:
        return None
    return tuple(int(part) for part in match.groups())


def version_problems(value, supported_minors):
    variable = 'cluster_kubernetes_version'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ["%s: %r is a number (YAML reads 1.30 as a float)%swrite the full release as a quoted string, "
                "e.g. '1.34.4'" % (variable, value, DASH)]
    if not is_str(value):
        return ["%s: %r is not a version%swrite it like '1.34.4'" % (variable, value, DASH)]
    if value.startswith(('v', 'V')) and parse_version(value[1:]):
        return ["%s: '%s' has a leading 'v'%swrite '%s'; package versions and the pkgs.k8s.io repository path "
                'are built from it' % (variable, value, DASH, value[1:])]
    parsed = parse_version(value)
    if parsed is None:
        return ["%s: '%s' is not a release MAJOR.MINOR.PATCH%swrite it like '1.34.4' (no 'v', no pre-release)"
                % (variable, value, DASH)]
    minor = '%d.%d' % parsed[:2]
    if minor not in supported_minors:
        return ['%s: %s is not supported%sthis collection supports Kubernetes %s'
                % (variable, value, DASH, ', '.join(supported_minors))]
    return []
