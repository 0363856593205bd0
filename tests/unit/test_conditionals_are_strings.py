"""Every condition in the project's YAML is a string (or a list of strings), as Ansible requires.

A plain YAML scalar with ": " in it is a mapping, not a string: `- (x) or ('a: b' in y)` under an
assert's `that` parses to a dict, which Ansible only refuses when the task runs ("Conditional
expressions must be strings"), minutes into a lab scenario. This finds it before.
"""

import os

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOP_DIRS = ('playbooks', 'roles', 'tests/e2e', 'molecule')
CONDITION_KEYS = ('when', 'failed_when', 'changed_when', 'until')


def _yaml_files():
    for top in TOP_DIRS:
        for root, _dirs, files in os.walk(os.path.join(REPO, top)):
            for name in sorted(files):
                if name.endswith(('.yml', '.yaml')):
                    yield os.path.join(root, name)


def _conditions(node, where):
    """(where, condition) for each condition below node: assert's that, and the *_when keys."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = '%s/%s' % (where, key)
            if key in CONDITION_KEYS or (key == 'that' and ('fail_msg' in node or 'quiet' in node)):
                for item in value if isinstance(value, list) else [value]:
                    yield here, item
            else:
                yield from _conditions(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _conditions(item, '%s[%d]' % (where, index))


def _all_conditions():
    found = []
    for path in _yaml_files():
        with open(path, encoding='utf-8') as handle:
            try:
                documents = list(yaml.safe_load_all(handle))
            except yaml.YAMLError:
                continue  # not Ansible YAML (templates under files/); yamllint covers syntax
        for document in documents:
            found.extend((os.path.relpath(path, REPO) + ':' + where, item) for where, item in _conditions(document, ''))
    return found


CONDITIONS = _all_conditions()


def test_the_project_has_conditions_to_check():
    assert len(CONDITIONS) > 500


def test_every_condition_is_a_string():
    offenders = ['%s is a %s: %r' % (where, type(condition).__name__, condition)
                 for where, condition in CONDITIONS if not isinstance(condition, (str, bool))]
    assert not offenders, ('conditions that are not strings (a plain YAML scalar with ": " in it is a mapping; '
                           'write it as a folded scalar, >-):\n' + '\n'.join(offenders))


def test_a_folded_mapping_is_caught():
    document = yaml.safe_load("- ansible.builtin.assert:\n    that:\n      - (x) or ('a: b' in y)\n    quiet: true\n")
    assert [type(item) for _where, item in _conditions(document, '')] == [dict]
