fn main() {
    println!("trialmatch");
}
