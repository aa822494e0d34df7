import ArgumentParser
print("mox")
