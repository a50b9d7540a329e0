ExUnit.configure(exclude: [distributed: true])
ExUnit.start()
