{application, bad, [{description, "x"}, {vsn, "1.0"}, {modules, []}, {registered, []}, {applications, [kernel, stdlib]}, {mod, {bad_app}}]}.
