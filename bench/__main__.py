from bench.foundation_bench import main

main()
