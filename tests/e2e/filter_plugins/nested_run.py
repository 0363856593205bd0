"""Filters for the e2e playbooks that run one of the collection's playbooks the way a user does
(``ansible-playbook`` in a command task) and then check what that run said.

molecule's generated ansible.cfg sets ``display_failed_stderr``, so a failed task's message goes
to stderr while recaps and ``ok:`` lines go to stdout: both streams must be read. The YAML
callback folds a long message over several lines, so a phrase is searched with its whitespace
collapsed.
"""

import datetime
import re

_ERROR_LINE = r'fatal: |ERROR'
# How the command module writes a result's start and end.
_COMMAND_TIME = '%Y-%m-%d %H:%M:%S.%f'


def _lines(result):
    return list(result.get('stdout_lines') or []) + list(result.get('stderr_lines') or [])


def nested_run_said(result):
    """Everything the run printed, on one line, with every run of whitespace made one space."""
    text = '%s %s' % (result.get('stdout') or '', result.get('stderr') or '')
    return re.sub(r'\s+', ' ', text).strip()


def nested_run_errors(result, also=None, limit=1500):
    """The run's error lines (and those matching ``also``), joined for a failure message."""
    pattern = _ERROR_LINE if not also else '%s|%s' % (_ERROR_LINE, also)
    said = ' | '.join(line for line in _lines(result) if re.search(pattern, line))
    return said if len(said) <= limit else said[:limit - 3] + '...'


def nested_run_seconds(result):
    """Whole seconds the command ran, from its result's start and end."""
    start, end = (datetime.datetime.strptime(result[key], _COMMAND_TIME) for key in ('start', 'end'))
    return int((end - start).total_seconds())


class FilterModule:
    """The e2e playbooks' filters for a nested ansible-playbook run's result."""

    def filters(self):
        return {
            'nested_run_said': nested_run_said,
            'nested_run_errors': nested_run_errors,
            'nested_run_seconds': nested_run_seconds,
        }
