print("clawrun")
