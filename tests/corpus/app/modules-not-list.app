{application, bad, [{vsn, "1.0"}, {modules, nope}, {applications, [kernel, stdlib]}]}.
