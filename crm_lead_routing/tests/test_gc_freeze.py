# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A loaded registry's objects are frozen for Python's garbage collector
(gc_freeze.py): full collections no longer walk them, a registry loaded
again frees its predecessor, and the configuration can turn it off."""

import gc
import weakref
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged
from odoo.tools import config

from .. import gc_freeze


class Cyclic:
    """An object in a reference cycle: only the collector frees it."""

    def __init__(self):
        self.me = self


@tagged("post_install", "-at_install")
class TestGcFreeze(TransactionCase):
    def test_loaded_registry_is_frozen(self):
        # the registry's _register_hook froze what the process held; the
        # registry and its model classes are not walked by a collection
        self.assertGreater(gc.get_freeze_count(), 10_000)
        walked = gc.get_objects()
        lead_class = type(self.env["crm.lead"])
        self.assertFalse(any(obj is self.registry for obj in walked))
        self.assertFalse(any(obj is lead_class for obj in walked))

    def test_a_new_freeze_frees_the_garbage_frozen_before(self):
        garbage = Cyclic()
        ref = weakref.ref(garbage)
        gc.freeze()
        del garbage
        gc.collect()
        # frozen: a collection does not free it
        self.assertIsNotNone(ref())
        # a registry loaded again: unfreeze, collect, freeze
        self.assertGreater(gc_freeze.freeze_loaded_objects(), 10_000)
        self.assertIsNone(ref())

    def test_configuration_turns_it_off(self):
        # the collector's calls are watched, not its frozen count: objects
        # of the permanent generation that other threads free by reference
        # counting lower that count at any time
        for value in ("False", "0", False):
            with (
                patch.dict(config.options, {gc_freeze.OPTION: value}),
                patch.object(gc_freeze.gc, "freeze", wraps=gc.freeze) as freeze,
                patch.object(gc_freeze.gc, "unfreeze", wraps=gc.unfreeze) as unfreeze,
                patch.object(gc_freeze.gc, "collect", wraps=gc.collect) as collect,
            ):
                self.assertFalse(gc_freeze.enabled())
                self.assertEqual(gc_freeze.freeze_loaded_objects(), 0)
            freeze.assert_not_called()
            unfreeze.assert_not_called()
            collect.assert_not_called()
        with patch.dict(config.options, {gc_freeze.OPTION: "True"}):
            self.assertTrue(gc_freeze.enabled())
