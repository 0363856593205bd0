import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.duoshou.kubeadm.plugins.plugin_utils.filters import filter_from


class Known(ValueError):
    pass


def parse(value, strict=False):
    """Parse a value."""
    if value == 'bad':
        raise Known('value is bad')
    if value == 'crash':
        raise KeyError('bug')
    return (value, strict)


def test_arguments_and_result_pass_through():
    wrapped = filter_from('my_filter', parse, Known)
    assert wrapped('x') == ('x', False)
    assert wrapped('x', strict=True) == ('x', True)
    assert wrapped('x', True) == ('x', True)
    assert wrapped.__name__ == 'my_filter'
    assert wrapped.__doc__ == 'Parse a value.'


def test_listed_errors_become_filter_errors_named_after_the_filter():
    with pytest.raises(AnsibleFilterError, match='^my_filter: value is bad$') as caught:
        filter_from('my_filter', parse, Known)('bad')
    assert isinstance(caught.value.__cause__, Known)


def test_other_errors_are_not_hidden():
    with pytest.raises(KeyError):
        filter_from('my_filter', parse, Known)('crash')
