"""The world adapters, with the host's functions replaced (inside a component the real ones are
linked in). The importer world runs in a child process: each world's bindings are a module named
``wit_world``, and one process can load only one."""

import subprocess
import sys
import textwrap
import unittest
from pathlib import Path

from custode_sdk.testing import use_bindings

from batch_columns import columns

SDK = Path(__file__).resolve().parent.parent


class RetentionAdapterTest(unittest.TestCase):
    def test_settings_come_from_the_host_and_config_errors_are_the_error_string(self):
        use_bindings("retention-rule")
        from componentize_py_types import Err
        from wit_world.imports import host, types

        settings, logged = {"months": "6"}, []
        host.config = settings.get
        host.log = lambda level, message: logged.append((level, message))
        from custode_sdk import log
        from custode_sdk.records import Action, decision, plugin_info
        from custode_sdk.world import retention_rule

        class Rule:
            @staticmethod
            def describe():
                return plugin_info("r", "1.0.0", "retention-rule", "test")

            @staticmethod
            def evaluate(now, batch, config):
                months = config.integer("months", 1, 12)
                log.info(f"{len(batch)} subjects")
                return [decision(s.contact_id, Action.review(), f"months {months} at {now}", "ref") for s in batch]

        plugin, rule = retention_rule(Rule)
        self.assertEqual(plugin().describe().kind, types.PluginKind.RETENTION_RULE)
        [d] = rule().evaluate(5, columns(contact_ids=[9]))
        self.assertEqual((d.contact_id, d.action, d.reason), (9, types.RetentionAction_Review(), "months 6 at 5"))
        self.assertEqual(logged, [(types.LogLevel.INFO, "1 subjects")])
        settings["months"] = "60"
        with self.assertRaises(Err) as e:
            rule().evaluate(5, columns())
        self.assertEqual(e.exception.value, "setting `months`: 60 is out of range; write a number from 1 to 12")

    def test_check_config_accepts_without_one_and_reports_problems(self):
        use_bindings("retention-rule")
        from componentize_py_types import Err
        from wit_world.imports import host

        settings = {}
        host.config = settings.get
        from custode_sdk.records import Action, config_problem, decision, plugin_info
        from custode_sdk.world import retention_rule

        class Plain:
            @staticmethod
            def describe():
                return plugin_info("r", "1.0.0", "retention-rule", "test")

            @staticmethod
            def evaluate(now, batch, config):
                return [decision(s.contact_id, Action.erase(), "r", "ref", holds_from=now - 10) for s in batch]

        class Checked(Plain):
            @staticmethod
            def check_config(config):
                config.integer("months", 1, 12)
                return [config_problem("mode", "write quiet or verbose")] if config.string("mode") == "loud" else []

        retention_rule(Plain)[0]().check_config()
        [d] = retention_rule(Plain)[1]().evaluate(100, columns(contact_ids=[9]))
        self.assertEqual((d.holds_from, d.review_after), (90, None))
        plugin = retention_rule(Checked)[0]
        settings["months"] = "6"
        plugin().check_config()
        settings["months"] = "ten"
        with self.assertRaises(Err) as e:
            plugin().check_config()
        [problem] = e.exception.value
        self.assertEqual(problem.key, "months")
        self.assertIn("ten", problem.message)
        settings.update(months="6", mode="loud")
        with self.assertRaises(Err) as e:
            plugin().check_config()
        self.assertEqual([(p.key, p.message) for p in e.exception.value], [("mode", "write quiet or verbose")])


class ImporterAdapterTest(unittest.TestCase):
    def test_sessions_wrap_results_and_turn_failures_into_import_errors(self):
        script = textwrap.dedent("""
            from custode_sdk.testing import use_bindings
            use_bindings("importer")
            from componentize_py_types import Err
            from wit_world.imports import host
            host.config = {"fail": None}.get
            from custode_sdk import CsvReader
            from custode_sdk.records import PluginImportError, contact_record, email, plugin_info
            from custode_sdk.world import importer

            class Csv:
                @classmethod
                def describe(cls):
                    return plugin_info("csv-py", "1.0.0", "importer", "test")
                @classmethod
                def open(cls, config):
                    return cls()
                def __init__(self):
                    self.reader = CsvReader()
                def push(self, chunk):
                    if chunk == b"stop":
                        raise PluginImportError("stopped", row=3, column="email")
                    return [contact_record(r.line, identities=[email(r.fields[0])]) for r in self.reader.push(chunk)], []
                def finish(self):
                    return [contact_record(r.line, identities=[email(r.fields[0])]) for r in self.reader.finish()], []

            Plugin, Source, Session = importer(Csv)
            s = Session.open()
            got = s.push(b"email\\na@example.com\\n")
            print([r.row for r in got.records], got.rejected)
            for chunk in (b"stop", None):
                try:
                    if chunk:
                        s.push(chunk)
                    else:
                        s.push(b'"open')
                        s.finish()
                except Err as e:
                    print(e.value.row, e.value.column, e.value.message)
        """)
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=SDK)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.splitlines(), [
            "[1, 2] []",
            "3 email stopped",
            "3 None a quoted field is not closed before the end of the input; add the missing `\"`",
        ])


if __name__ == "__main__":
    unittest.main()
