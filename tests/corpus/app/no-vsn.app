{application, bad, [{description, "x"}, {modules, []}, {applications, [kernel, stdlib]}]}.
