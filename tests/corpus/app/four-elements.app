{application, bad, [{vsn, "1.0"}, {applications, [kernel, stdlib]}], extra}.
