export default function Home() {
  return <p>bench</p>;
}
