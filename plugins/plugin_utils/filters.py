# Copyright: duoshou.kubeadm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the filter plugins (controller side only)."""

from ansible.errors import AnsibleFilterError


def filter_from(name, func, *errors):
    """Filter ``name`` that calls ``func`` and reports its ``errors`` as ``AnsibleFilterError('<name>: ...')``.

    The module_utils functions raise plain ValueError subclasses so that modules can use them too; Jinja
    needs AnsibleFilterError to show the problem instead of a traceback, and the prefix tells which filter
    of a long expression failed.
    """

    def run_filter(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except errors as exc:
            raise AnsibleFilterError('%s: %s' % (name, exc)) from exc

    run_filter.__name__ = run_filter.__qualname__ = name
    run_filter.__doc__ = func.__doc__
    return run_filter
